"""What became of a payment (``invoicing.service.payment_outcomes``): failures back to the next batch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM
from invoicing import service
from invoicing.models import (
    BatchStatus,
    InvoiceStatus,
    PaymentAllocation,
    PaymentStatus,
)
from tests.factories import World


def test_a_failed_payment_returns_its_invoices_for_the_next_batch(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    payment = batch.payments[0]
    service.record_payment_sent(session, SYSTEM, payment.id, "tr_1")
    service.record_payment_failed(session, SYSTEM, payment.id, "Account closed")
    session.refresh(invoice)
    session.refresh(batch)
    assert invoice.status is InvoiceStatus.PAYMENT_FAILED
    assert batch.status is BatchStatus.PARTIALLY_FAILED
    assert not session.scalars(
        select(PaymentAllocation.live).where(PaymentAllocation.payment_id == payment.id)
    ).one()

    again = service.build_batch(session, world.officer)
    assert again is not None and again.id != batch.id
    assert [a.invoice_id for p in again.payments for a in p.allocations] == [invoice.id]
    actions = [e.action for e in audit.events_for(session, "invoices", invoice.id)]
    assert actions[-3:] == ["invoice.payment_failed", "invoice.approved", "invoice.batched"]


def test_a_payment_returned_after_it_was_paid_is_paid_again_in_a_later_batch(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    payment = batch.payments[0]
    service.record_payment_sent(session, SYSTEM, payment.id, "tr_1")
    service.record_payment_paid(session, SYSTEM, payment.id)
    service.record_payment_failed(session, SYSTEM, payment.id, "Returned by the bank")
    session.refresh(invoice)
    assert payment.status is PaymentStatus.RETURNED
    assert invoice.status is InvoiceStatus.PAYMENT_FAILED
    again = service.build_batch(session, world.officer)
    assert again is not None and again.total_pence == payment.amount_pence
