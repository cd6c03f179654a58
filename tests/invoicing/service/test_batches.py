"""Building payment batches (``invoicing.service.batches``): one payment per provider, the cap
applied again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM
from invoicing import service
from invoicing.entitlement import monthly_cap_pence
from invoicing.models import (
    BatchStatus,
    InvoiceStatus,
    PaymentBatch,
    Rail,
)
from providers import service as providers
from tests.factories import World, create_consent, invoice_input, today


def test_the_whole_life_cycle_from_submission_to_paid(session: Session) -> None:
    world = World(session)
    invoice = world.submit(eligible_pence=95_000, extras_pence=4_000)
    service.confirm_invoice(session, world.parent, invoice.id)
    assert service.run_automatic_checks(session, SYSTEM) == {"approved": 1, "on_hold": 0}

    batch = service.build_batch(session, world.officer)
    assert batch is not None and batch.status is BatchStatus.DRAFT
    assert (batch.payment_count, batch.invoice_count, batch.total_pence) == (1, 1, 80_750)
    payment = batch.payments[0]
    assert (payment.rail, payment.amount_pence, payment.destination_sort_code) == (
        Rail.BACS,
        80_750,
        "089999",
    )
    assert [(a.invoice_id, a.amount_pence) for a in payment.allocations] == [(invoice.id, 80_750)]

    service.request_batch_approval(session, world.officer, batch.id)
    service.approve_batch(session, world.approver, batch.id)
    assert batch.status is BatchStatus.APPROVED and batch.content_hash
    service.submit_batch(session, world.officer, batch.id)
    service.record_payment_sent(session, SYSTEM, payment.id, "tr_123")
    service.record_payment_paid(session, SYSTEM, payment.id)

    session.refresh(invoice)
    session.refresh(batch)
    assert invoice.status is InvoiceStatus.PAID
    assert (invoice.dwp_pence, invoice.claimant_pence) == (80_750, 18_250)
    assert batch.status is BatchStatus.SETTLED
    timeline = [e.action for e in audit.events_for(session, "invoices", invoice.id)]
    assert timeline == [
        "invoice.submitted",
        "invoice.awaiting_confirmation",
        "invoice.confirmed",
        "invoice.approved",
        "invoice.batched",
        "invoice.paid",
    ]


def test_one_payment_per_provider_with_an_allocation_per_invoice(session: Session) -> None:
    world = World(session)
    other = World(session, stripe_account="acct_123")
    a1 = world.approved_invoice(eligible_pence=10_000, extras_pence=0)
    a2 = world.approved_invoice(
        eligible_pence=20_000, extras_pence=0, hours=None, care_from=today().replace(day=1), care_to=today()
    )
    b1 = other.approved_invoice(eligible_pence=30_000, extras_pence=0)
    batch = service.build_batch(session, world.officer)
    assert batch is not None
    by_provider = {p.provider_id: p for p in batch.payments}
    assert set(by_provider) == {world.provider.id, other.provider.id}
    mine = by_provider[world.provider.id]
    assert sorted(a.invoice_id for a in mine.allocations) == sorted([a1.id, a2.id])
    assert mine.amount_pence == 8_500 + 17_000
    theirs = by_provider[other.provider.id]
    assert (theirs.rail, theirs.destination_stripe_account) == (Rail.STRIPE, "acct_123")
    assert [a.invoice_id for a in theirs.allocations] == [b1.id]
    assert batch.total_pence == 8_500 + 17_000 + 25_500


def test_the_cap_is_applied_again_when_batched_across_providers(session: Session) -> None:
    world = World(session)
    second = World(session)
    # Same parent and child at a second provider.
    consent = create_consent(session, second.provider_user, world.parent, world.child)
    first = world.approved_invoice(eligible_pence=100_000, extras_pence=0)
    invoice = service.submit_invoice(
        session, second.provider_user, invoice_input(consent, eligible_pence=100_000, extras_pence=0)
    )
    service.confirm_invoice(session, world.parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.ON_HOLD  # over the cap: a caseworker looks first
    service.approve_invoice(session, world.caseworker, invoice.id, "Two nurseries: checked with parent")
    batch = service.build_batch(session, world.officer)
    assert batch is not None
    cap = monthly_cap_pence(1, first.ap_start)
    session.refresh(first)
    session.refresh(invoice)
    assert first.dwp_pence + invoice.dwp_pence == cap
    assert batch.total_pence == cap


def test_payments_are_held_while_new_bank_details_cool_off_until_a_second_person_releases_them(
    session: Session,
) -> None:
    world = World(session)
    providers.change_bank_details(
        session,
        world.provider_user,
        world.provider.id,
        providers.BankDetails("107999", "88837491", "New Account"),
    )
    invoice = world.submit()
    assert "recent_bank_change" in invoice.flags
    service.confirm_invoice(session, world.parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    service.approve_invoice(session, world.caseworker, invoice.id, "Bank change confirmed by phone")
    assert service.build_batch(session, world.officer) is None  # on hold: nothing to pay
    providers.release_bank_details(session, world.approver, world.provider.id)
    assert service.build_batch(session, world.officer) is None  # released, but still cooling off


def test_nothing_to_pay_builds_no_batch(session: Session) -> None:
    world = World(session)
    assert service.build_batch(session, world.officer) is None
    assert session.scalars(select(PaymentBatch)).first() is None
