"""Building payment batches (``invoicing.service.batches``): one payment per provider, the cap
applied again."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM
from config.notify import Notification
from invoicing import service
from invoicing.entitlement import assessment_period, monthly_cap_pence
from invoicing.models import (
    BatchStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
)
from invoicing.rails import bacs
from invoicing.service import reconciliation
from providers import payees
from tests.factories import (
    World,
    create_child,
    create_consent,
    create_parent,
    invoice_input,
    send_by_bacs,
    today,
)


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
    changed = payees.change_payee(
        session,
        world.provider_user,
        world.provider.id,
        payees.BankDetails("107999", "88837491", "New Account"),
    )
    invoice = world.submit()
    assert "recent_bank_change" in invoice.flags
    service.confirm_invoice(session, world.parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    service.approve_invoice(session, world.caseworker, invoice.id, "Bank change confirmed by phone")
    assert service.build_batch(session, world.officer) is None  # on hold: nothing to pay
    payees.release_payee(session, world.approver, world.provider.id, changed.id)
    assert service.build_batch(session, world.officer) is None  # released, but still cooling off


def test_nothing_to_pay_builds_no_batch(session: Session) -> None:
    world = World(session)
    assert service.build_batch(session, world.officer) is None
    assert session.scalars(select(PaymentBatch)).first() is None


def _approved_by_caseworker(session: Session, world: World, invoice: Invoice) -> None:
    service.confirm_invoice(session, world.parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    service.approve_invoice(session, world.caseworker, invoice.id, "The parent knows the limit")


def test_an_invoice_with_nothing_left_to_pay_is_never_a_payment_and_the_batch_completes(
    session: Session,
) -> None:
    """The parent's maximum used by one nursery's invoice, another nursery's comes to £0: it ends
    "nothing to pay" (the parent owes it all, and is told), and the batch with the first nursery's
    payment is made, sent and settled as any other."""
    world, other = World(session), World(session)
    consent = create_consent(session, other.provider_user, world.parent, world.child)
    cap = monthly_cap_pence(1, today())
    full = world.submit(eligible_pence=cap * 2, extras_pence=0)  # 85% of it is over the cap
    _approved_by_caseworker(session, world, full)
    empty = service.submit_invoice(
        session, other.provider_user, invoice_input(consent, eligible_pence=50_000, extras_pence=1_000)
    )
    _approved_by_caseworker(session, world, empty)

    batch = world.approved_batch()
    session.expire_all()
    full, empty = session.get_one(Invoice, full.id), session.get_one(Invoice, empty.id)
    assert (full.status, full.dwp_pence) == (InvoiceStatus.BATCHED, cap)
    assert (empty.status, empty.dwp_pence, empty.claimant_pence) == (InvoiceStatus.NOTHING_TO_PAY, 0, 51_000)
    payments = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).all()
    assert [(p.provider_id, p.amount_pence) for p in payments] == [(world.provider.id, cap)]
    assert "invoice.nothing_to_pay" in [e.action for e in audit.events_for(session, "invoices", empty.id)]
    told = session.scalars(
        select(Notification).where(Notification.template == "invoice_nothing_to_pay")
    ).one()
    assert told.personalisation["parent"] == "£510.00"

    made = send_by_bacs(session, world.approver, batch.id)
    after_entry = bacs.entry_day(made.processing_day) + timedelta(days=1)
    assert reconciliation.reconcile_bacs(session, today=after_entry) == 1
    session.expire_all()
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.SETTLED
    assert session.get_one(Payment, payments[0].id).status is PaymentStatus.PAID
    assert session.get_one(Invoice, empty.id).status is InvoiceStatus.NOTHING_TO_PAY


def test_a_bacs_cost_counts_in_the_period_of_the_day_the_money_arrives(session: Session) -> None:
    """Built on the last day of an assessment period, a Bacs payment reaches the nursery in the next
    one: that is the period the cost counts in (a Stripe transfer arrives the same day)."""
    claim_start = date(2026, 10, 15)  # periods run from the 15th to the 14th
    built_on = date(2026, 11, 13)  # a Friday: processed Monday 16th, credited Tuesday 17 November
    assert bacs.entry_day(bacs.processing_day(built_on)) == date(2026, 11, 17)
    worlds = [World(session), World(session, stripe_account="acct_1Arrives")]
    for world in worlds:
        world.parent = create_parent(session, claim_start=claim_start)
        world.child = create_child(session, world.parent)
        world.consent = create_consent(session, world.provider_user, world.parent, world.child)
        world.approved_invoice(care_from=date(2026, 10, 15), care_to=date(2026, 11, 12))
    batch = service.build_batch(session, worlds[0].officer, payment_date=built_on)
    assert batch is not None

    def period(rail: Rail) -> date:
        payment = next(p for p in batch.payments if p.rail is rail)
        (allocation,) = session.scalars(
            select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)
        ).all()
        return session.get_one(Invoice, allocation.invoice_id).ap_start

    session.expire_all()
    assert period(Rail.BACS) == assessment_period(claim_start, date(2026, 11, 17))[0] == date(2026, 11, 15)
    assert period(Rail.STRIPE) == date(2026, 10, 15)
