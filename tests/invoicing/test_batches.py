"""Payment batches and payments: four eyes, frozen content, failures back to the next batch."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM, StaffRole
from config.errors import Forbidden, InvalidTransition, SelfApprovalForbidden, ValidationFailed
from invoicing import service
from invoicing.entitlement import monthly_cap_pence
from invoicing.models import (
    BatchStatus,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
)
from invoicing.service import BatchTampered
from providers import service as providers
from tests.factories import World, create_consent, create_staff, invoice_input, today


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


def test_the_builder_can_not_approve_their_own_batch(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    both = create_staff(session, StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)
    batch = service.build_batch(session, both)
    assert batch is not None
    service.request_batch_approval(session, both, batch.id)
    with pytest.raises(SelfApprovalForbidden):
        service.approve_batch(session, both, batch.id)
    with pytest.raises(Forbidden):
        service.approve_batch(session, world.officer, batch.id)  # not an approver
    with pytest.raises(SelfApprovalForbidden):
        service.approve_batch(session, SYSTEM, batch.id)  # approval is a person's
    session.refresh(batch)
    assert batch.status is BatchStatus.AWAITING_APPROVAL and batch.approved_by_id is None


def test_the_database_refuses_a_batch_approved_by_its_builder(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = service.build_batch(session, world.officer)
    assert batch is not None
    with pytest.raises(IntegrityError):
        session.execute(
            update(PaymentBatch).where(PaymentBatch.id == batch.id).values(approved_by_id=world.officer.id)
        )
        session.commit()
    session.rollback()


def test_a_batch_can_not_be_approved_twice_or_before_it_is_sent_for_approval(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = service.build_batch(session, world.officer)
    assert batch is not None
    with pytest.raises(InvalidTransition):
        service.approve_batch(session, world.approver, batch.id)
    service.request_batch_approval(session, world.officer, batch.id)
    service.approve_batch(session, world.approver, batch.id)
    second_approver = create_staff(session, StaffRole.APPROVER)
    with pytest.raises(InvalidTransition):
        service.approve_batch(session, second_approver, batch.id)


def _another_account(session: Session, batch: PaymentBatch) -> None:
    session.execute(
        update(Payment).where(Payment.batch_id == batch.id).values(destination_account_number="12345678")
    )


def _paid_for_another_invoice(session: Session, batch: PaymentBatch) -> None:
    """Only the hash can tell: every amount and total still adds up."""
    other = World(session).submit()
    session.execute(
        update(PaymentAllocation)
        .where(PaymentAllocation.payment_id == batch.payments[0].id)
        .values(invoice_id=other.id)
    )


def _an_invoice_dropped(session: Session, batch: PaymentBatch) -> None:
    session.execute(
        update(PaymentAllocation)
        .where(PaymentAllocation.payment_id == batch.payments[0].id)
        .values(live=False)
    )


@pytest.mark.parametrize("tamper", [_another_account, _paid_for_another_invoice, _an_invoice_dropped])
def test_an_approved_batch_changed_afterwards_moves_no_money(session: Session, tamper) -> None:
    world = World(session)
    world.approved_invoice()
    batch = world.approved_batch()
    tamper(session, batch)
    session.commit()
    with pytest.raises(BatchTampered):
        service.submit_batch(session, world.officer, batch.id)
    session.refresh(batch)
    assert batch.status is BatchStatus.APPROVED


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


def test_cancelling_a_batch_before_submission_puts_its_invoices_back(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    with pytest.raises(ValidationFailed):
        service.cancel_batch(session, world.officer, batch.id, "")
    service.cancel_batch(session, world.officer, batch.id, "Wrong payment date")
    session.refresh(invoice)
    assert batch.status is BatchStatus.CANCELLED
    assert invoice.status is InvoiceStatus.APPROVED
    assert service.build_batch(session, world.officer) is not None


def test_a_submitted_batch_can_not_be_cancelled(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    with pytest.raises(InvalidTransition):
        service.cancel_batch(session, world.officer, batch.id, "too late")


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
