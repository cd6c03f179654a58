"""The bulk write paths (rows, not objects, for a day's 100,000 invoices and payments) keep every
guarantee of one-at-a-time writes: each row moves once, with its audit event and webhook, and a
row that changed after it was read stops the whole write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from config import audit
from config.auth import SYSTEM
from config.errors import ConcurrentChange
from invoicing import repository, service
from invoicing.models import BatchStatus, Invoice, InvoiceStatus, Payment, PaymentBatch, PaymentStatus, Rail
from providers import service as providers_service
from providers.models import WebhookDelivery
from tests.factories import World, previous_month


def _two_approved_invoices(world: World) -> tuple[Invoice, Invoice]:
    """Two invoices for the same child, for the two halves of last month (so neither overlaps)."""
    start, end = previous_month()
    middle = start + timedelta(days=9)
    return (
        world.approved_invoice(care_from=start, care_to=middle, eligible_pence=30_000),
        world.approved_invoice(care_from=middle + timedelta(days=1), care_to=end, eligible_pence=30_000),
    )


def _sent_batch(session) -> tuple[list[World], PaymentBatch, list[Payment]]:
    """Two providers' approved invoices in one batch, approved, submitted and sent."""
    worlds = [World(session), World(session)]
    for world in worlds:
        _two_approved_invoices(world)
    batch = worlds[0].approved_batch()
    service.submit_batch(session, worlds[0].officer, batch.id)
    sent = list(session.scalars(select(Payment).where(Payment.batch_id == batch.id)))
    for payment in sent:
        service.record_payment_sent(session, SYSTEM, payment.id, f"tr_{payment.id.hex}")
    return worlds, batch, sent


def test_many_payments_recorded_paid_move_once_each_with_their_invoices_events_and_webhooks(session) -> None:
    worlds, batch, sent = _sent_batch(session)
    providers_service.register_api_client(
        session,
        worlds[0].provider_user,
        name="Nursery Manager",
        redirect_uris=[],
        webhook_url="https://example.com/hook",
    )
    versions = {payment.id: payment.version for payment in sent}

    assert service.record_payments_paid(session, SYSTEM, [payment.id for payment in sent]) == 2

    session.expire_all()
    for payment in session.scalars(select(Payment).where(Payment.batch_id == batch.id)):
        assert payment.status is PaymentStatus.PAID and payment.paid_at is not None
        assert payment.version == versions[payment.id] + 1
        assert [e.action for e in audit.events_for(session, "payments", payment.id)][-1] == "payment.paid"
        for allocation in payment.allocations:
            assert allocation.invoice.status is InvoiceStatus.PAID
            events = audit.events_for(session, "invoices", allocation.invoice_id)
            assert (events[-1].action, events[-1].data["payment_id"]) == ("invoice.paid", str(payment.id))
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.SETTLED
    deliveries = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.event_type == "payment.paid")
    ).all()
    assert [d.provider_id for d in deliveries] == [worlds[0].provider.id]  # only the provider that listens
    assert audit.verify_chain(session).ok

    # Asked again (a second reconciler, or a retry): nothing is still sent, so nothing moves.
    assert service.record_payments_paid(session, SYSTEM, [payment.id for payment in sent]) == 0
    paid_events = [
        e for p in sent for e in audit.events_for(session, "payments", p.id) if e.action == "payment.paid"
    ]
    assert len(paid_events) == 2


def test_a_payment_no_longer_sent_is_left_alone_and_its_batch_waits(session) -> None:
    _worlds, batch, sent = _sent_batch(session)
    failed, other = sent
    service.record_payment_failed(session, SYSTEM, failed.id, "account closed")

    assert service.record_payments_paid(session, SYSTEM, [failed.id, other.id]) == 1

    session.expire_all()
    assert session.get_one(Payment, failed.id).status is PaymentStatus.FAILED
    assert session.get_one(Payment, other.id).status is PaymentStatus.PAID
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.PARTIALLY_FAILED


def test_a_batch_write_stops_when_an_invoice_changed_after_it_was_read(session) -> None:
    world = World(session)
    first, second = _two_approved_invoices(world)
    batch = PaymentBatch(payment_date=first.issued_on, built_at=first.created_at)
    session.add(batch)
    payment = Payment(
        batch=batch, provider_id=world.provider.id, amount_pence=0, reference="CCD STALE", rail=Rail.BACS
    )
    session.add(payment)
    session.flush()
    decided = [
        repository.Batched(
            invoice.id,
            invoice.version - (1 if invoice is second else 0),  # the second was read before a change
            invoice.status,
            invoice.invoice_number,
            invoice.provider_id,
            payment.id,
            invoice.ap_start,
            invoice.ap_end,
            invoice.dwp_pence,
            invoice.claimant_pence,
        )
        for invoice in (first, second)
    ]

    with pytest.raises(ConcurrentChange):
        repository.write_batched(session, decided, first.created_at)
    session.rollback()

    statuses = set(session.scalars(select(Invoice.status).where(Invoice.id.in_([first.id, second.id]))))
    assert statuses == {InvoiceStatus.APPROVED}  # nothing was written


def test_audit_data_with_tabs_newlines_and_backslashes_is_kept_exactly(session) -> None:
    world = World(session)
    invoice = world.submit(number="ESCAPE-1")
    awkward = {"note": 'tab\there\nnext line\r\nback\\slash \\N and a quote " and ünïcode'}
    audit.record(session, "invoice.noted", invoice, SYSTEM, awkward)
    session.commit()

    noted = [e for e in audit.events_for(session, "invoices", invoice.id) if e.action == "invoice.noted"]
    assert [e.data for e in noted] == [awkward]
    assert audit.verify_chain(session).ok
