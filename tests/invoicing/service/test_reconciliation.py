"""Reconciling Bacs credits (``invoicing.service.reconciliation``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from config.errors import ValidationFailed
from invoicing.models import InvoiceStatus, Payment, PaymentBatch, PaymentStatus
from invoicing.rails import bacs
from invoicing.service import reconciliation
from tests.factories import World, send_by_bacs


def bacs_batch(session) -> tuple[World, PaymentBatch]:
    world = World(session)  # no Stripe account: paid by Bacs
    world.approved_invoice()
    return world, world.approved_batch()


def test_a_bacs_credit_is_paid_after_its_entry_day_unless_the_bank_returns_it(session) -> None:
    world, batch = bacs_batch(session)
    made = send_by_bacs(session, world.approver, batch.id)
    entry = bacs.entry_day(made.processing_day)
    assert reconciliation.reconcile_bacs(session, today=entry) == 0  # not yet
    assert reconciliation.reconcile_bacs(session, today=entry + timedelta(days=1)) == 1
    session.expire_all()
    payment = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    assert payment.status is PaymentStatus.PAID

    header = "reference,amount_pence,reason\n"
    bad = f"{header}{payment.reference},{payment.amount_pence + 1},closed\nCCD NOPE,1,x\n"
    with pytest.raises(ValidationFailed) as error:
        reconciliation.import_bacs_returns(session, world.officer, bad)
    assert [e.field for e in error.value.errors] == ["line 1", "line 2"]
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID  # nothing changed

    good = f"reference,amount_pence,reason\n{payment.reference},{payment.amount_pence},account closed\n"
    assert reconciliation.import_bacs_returns(session, world.officer, good) == {"returned": 1}
    assert reconciliation.import_bacs_returns(session, world.officer, good) == {"returned": 0}  # once only
    session.expire_all()
    payment = session.get_one(Payment, payment.id)
    assert payment.status is PaymentStatus.RETURNED and "account closed" in payment.failure_reason
    assert {a.invoice.status for a in payment.allocations} == {InvoiceStatus.PAYMENT_FAILED}
