"""The Bacs file of an approved batch (``invoicing.service.sending``)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config.errors import Forbidden
from invoicing.models import BacsFile, BatchStatus, Payment, PaymentBatch, PaymentStatus
from invoicing.rails import bacs
from invoicing.service import sending
from tests.factories import World


def bacs_batch(session) -> tuple[World, PaymentBatch]:
    world = World(session)  # no Stripe account: paid by Bacs
    world.approved_invoice()
    return world, world.approved_batch()


def test_the_approver_gets_one_file_for_a_batch_however_often_they_ask(session) -> None:
    world, batch = bacs_batch(session)
    with pytest.raises(Forbidden):
        sending.bacs_file(session, world.officer, batch.id)  # approvers send the file
    first = sending.bacs_file(session, world.approver, batch.id)
    again = sending.bacs_file(session, world.approver, batch.id)
    assert (first.id, first.content) == (again.id, again.content)
    assert session.scalars(select(BacsFile)).all() == [first]
    session.expire_all()
    payment = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    assert payment.status is PaymentStatus.SENT and payment.rail_reference.startswith("BACS ")
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.SUBMITTED
    parsed = bacs.parse(first.content)
    assert [(c.sort_code, c.account_number, c.amount_pence) for c in parsed.credits] == [
        ("089999", "66374958", payment.amount_pence)
    ]


def test_a_file_is_kept_only_with_its_payments_recorded_sent(session, monkeypatch) -> None:
    """Fault injected inside the file's transaction: the file and the payments go together or not
    at all, so a file never exists for payments still waiting to be sent."""
    world, batch = bacs_batch(session)

    def crash(*_args: object) -> None:
        raise RuntimeError("the process died while recording the payments")

    monkeypatch.setattr(sending, "mark_payment_sent", crash)
    with pytest.raises(RuntimeError):
        sending.bacs_file(session, world.approver, batch.id)
    assert session.scalars(select(BacsFile)).all() == []
    assert session.scalars(select(Payment.status).where(Payment.batch_id == batch.id)).all() == [
        PaymentStatus.CREATED
    ]

    monkeypatch.undo()
    made = sending.bacs_file(session, world.approver, batch.id)  # asked again: made, and sent
    session.expire_all()
    assert session.scalars(select(BacsFile)).all() == [made]
    assert session.scalars(select(Payment.status).where(Payment.batch_id == batch.id)).all() == [
        PaymentStatus.SENT
    ]
