"""The Bacs file of an approved batch (``invoicing.service.sending``): made by an approver's
deliberate step, downloaded as often as needed, its payments sent only when the approver records
it as submitted to the bank; a file that cannot be made changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from config import settings
from config.errors import Forbidden, RuleBroken, ValidationFailed
from invoicing.models import BacsFile, BatchStatus, Payment, PaymentBatch, PaymentStatus
from invoicing.rails import bacs
from invoicing.service import sending
from invoicing.service.sending import BacsFileProblem
from tests.factories import World


def bacs_batch(session) -> tuple[World, PaymentBatch]:
    world = World(session)  # no Stripe account: paid by Bacs
    world.approved_invoice()
    return world, world.approved_batch()


def states(session, batch: PaymentBatch) -> list[PaymentStatus]:
    session.expire_all()
    return list(session.scalars(select(Payment.status).where(Payment.batch_id == batch.id)))


def test_the_approver_makes_the_file_once_and_its_payments_go_when_it_is_submitted(session) -> None:
    world, batch = bacs_batch(session)
    with pytest.raises(Forbidden):
        sending.make_bacs_file(session, world.officer, batch.id)  # approvers send the file
    made = sending.make_bacs_file(session, world.approver, batch.id)
    assert states(session, batch) == [PaymentStatus.CREATED]  # made is not sent
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.SUBMITTED
    with pytest.raises(RuleBroken) as twice:
        sending.make_bacs_file(session, world.approver, batch.id)
    assert twice.value.code == "bacs_file_exists"
    assert session.scalars(select(BacsFile)).all() == [made]

    sending.record_bacs_file_submitted(session, world.approver, batch.id)
    assert states(session, batch) == [PaymentStatus.SENT]
    payment = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    assert payment.rail_reference == f"BACS {made.created_on:%y%m%d}/{made.serial:06d}"
    with pytest.raises(RuleBroken):
        sending.record_bacs_file_submitted(session, world.approver, batch.id)  # once
    parsed = bacs.parse(made.content)
    assert [(c.sort_code, c.account_number, c.amount_pence) for c in parsed.credits] == [
        ("089999", "66374958", payment.amount_pence)
    ]


def test_a_file_is_recorded_submitted_only_with_its_payments_sent(session, monkeypatch) -> None:
    """Fault injected while recording the payments: the submission and the payments' "sent" go
    together or not at all."""
    world, batch = bacs_batch(session)
    sending.make_bacs_file(session, world.approver, batch.id)

    def crash(*_args: object) -> None:
        raise RuntimeError("the process died while recording the payments")

    monkeypatch.setattr(sending, "mark_payment_sent", crash)
    with pytest.raises(RuntimeError):
        sending.record_bacs_file_submitted(session, world.approver, batch.id)
    session.expire_all()
    assert session.scalars(select(BacsFile.submitted_at)).all() == [None]
    assert states(session, batch) == [PaymentStatus.CREATED]

    monkeypatch.undo()
    sending.record_bacs_file_submitted(session, world.approver, batch.id)  # asked again: sent
    assert states(session, batch) == [PaymentStatus.SENT]


def test_a_file_that_cannot_be_made_changes_nothing_and_says_why(session, monkeypatch) -> None:
    world, batch = bacs_batch(session)
    monkeypatch.setattr(settings, "_current", replace(settings.current(), service_user_name="’’’"))
    with pytest.raises(BacsFileProblem) as refused:
        sending.make_bacs_file(session, world.approver, batch.id)
    assert "Nothing has been sent" in refused.value.detail
    session.expire_all()
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.APPROVED
    assert session.scalars(select(BacsFile)).all() == []
    assert states(session, batch) == [PaymentStatus.CREATED]


def test_a_file_not_yet_submitted_can_be_voided_and_another_made(session) -> None:
    world, batch = bacs_batch(session)
    first = sending.make_bacs_file(session, world.approver, batch.id)
    with pytest.raises(ValidationFailed):
        sending.void_bacs_file(session, world.approver, batch.id, "")  # a reason is needed
    sending.void_bacs_file(session, world.approver, batch.id, "Missed the bank's cut-off")
    second = sending.make_bacs_file(session, world.approver, batch.id)
    assert second.serial == first.serial + 1 and second.file_number == first.file_number + 1
    sending.record_bacs_file_submitted(session, world.approver, batch.id)
    with pytest.raises(RuleBroken):
        sending.void_bacs_file(session, world.approver, batch.id, "too late")  # it is on its way
    assert states(session, batch) == [PaymentStatus.SENT]


def test_a_file_whose_processing_day_has_come_cannot_be_recorded_submitted(session, monkeypatch) -> None:
    world, batch = bacs_batch(session)
    made = sending.make_bacs_file(session, world.approver, batch.id)
    monkeypatch.setattr(sending, "today_in_london", lambda: made.processing_day)
    with pytest.raises(RuleBroken) as late:
        sending.record_bacs_file_submitted(session, world.approver, batch.id)
    assert late.value.code == "bacs_file_too_late"
    assert states(session, batch) == [PaymentStatus.CREATED]
    assert made.processing_day - made.created_on <= timedelta(days=5)
