"""Reconciliation breaks resolved with an outcome (``invoicing.service.reconciliation``).

Breaks are opened by reconciling against the Stripe-compatible test server, through the real SDK.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.auth import StaffRole
from config.errors import DomainError, Forbidden, ValidationFailed
from invoicing import service as invoicing
from invoicing.models import InvoiceStatus, Payment, PaymentStatus, ReconciliationBreak
from invoicing.rails.stripe import StripeRail
from invoicing.service import reconciliation, sending
from tests.factories import World, create_staff
from tests.stripe_server import API_KEY, stripe_server

ACCOUNT = "acct_1TestNursery"


def _sent(session, url: str) -> tuple[World, Payment, StripeRail]:
    """A Stripe payment sent to the test server."""
    world = World(session, stripe_account=ACCOUNT)
    world.approved_invoice()
    world.approved_batch()
    rail = StripeRail(API_KEY, api_base=url, timeout=5.0)
    sending.submit_approved_batches(session, rail)
    return world, session.scalars(select(Payment)).one(), rail


@pytest.fixture
def broken(session) -> Iterator[tuple[World, Payment, ReconciliationBreak, StripeRail]]:
    """A Stripe payment whose transfer at Stripe has the wrong amount: one open break."""
    with stripe_server({ACCOUNT}) as (url, state):
        world, payment, rail = _sent(session, url)
        state.tamper(payment.rail_reference, amount=payment.amount_pence + 1)
        assert reconciliation.reconcile_payments(session, rail)["breaks"] == 1
        yield world, payment, session.scalars(select(ReconciliationBreak)).one(), rail


def shown(session, item: ReconciliationBreak) -> str:
    """The proposal as the breaks page shows it to a second officer."""
    session.expire_all()
    return reconciliation.proposal_key(session.get_one(ReconciliationBreak, item.id))


def status(session, payment: Payment) -> PaymentStatus:
    session.expire_all()
    return session.get_one(Payment, payment.id).status


def test_matched_by_one_officer_is_a_proposal_until_a_second_confirms_it(session, broken) -> None:
    """Matched against the rail's record on one person's word would be a write-off by another name."""
    world, payment, item, rail = broken
    with pytest.raises(ValidationFailed):
        reconciliation.resolve_break(session, world.officer, item.id, "", "checked")  # no outcome
    with pytest.raises(ValidationFailed):
        reconciliation.resolve_break(session, world.officer, item.id, "matched", " ")  # no note
    with pytest.raises(ValidationFailed):
        reconciliation.resolve_break(
            session, world.officer, item.id, "matched", "x" * 1001
        )  # never cut short
    with pytest.raises(Forbidden):
        reconciliation.resolve_break(session, world.approver, item.id, "matched", "checked")
    assert status(session, payment) is PaymentStatus.SENT

    proposed = reconciliation.resolve_break(
        session, world.officer, item.id, "matched", "the bank statement shows it"
    )
    assert proposed.resolved_at is None and proposed.proposed_outcome == "matched"
    assert status(session, payment) is PaymentStatus.SENT  # one person's word settles nothing
    with pytest.raises(Forbidden):
        reconciliation.confirm_break_outcome(session, world.officer, item.id, shown(session, item))
    second = create_staff(session, StaffRole.FINANCE_OFFICER)
    reconciliation.confirm_break_outcome(session, second, item.id, shown(session, item))
    assert status(session, payment) is PaymentStatus.PAID
    closed = session.get_one(ReconciliationBreak, item.id)
    assert (closed.outcome, closed.proposed_by_id, closed.resolved_by_id) == (
        "matched",
        world.officer.id,
        second.id,
    )
    paid = session.get_one(Payment, payment.id)
    assert {a.invoice.status for a in paid.allocations} == {InvoiceStatus.PAID}
    assert reconciliation.reconcile_payments(session, rail)["breaks"] == 0  # it stays resolved
    assert session.scalars(select(ReconciliationBreak)).all() == [closed]
    with pytest.raises(DomainError):
        reconciliation.resolve_break(session, world.officer, item.id, "matched", "again")


def test_an_outcome_decides_the_payment_so_all_its_open_breaks_close_with_it(session) -> None:
    with stripe_server({ACCOUNT, "acct_1Elsewhere"}) as (url, state):
        world, payment, rail = _sent(session, url)
        state.tamper(payment.rail_reference, amount=1, destination="acct_1Elsewhere")
        assert reconciliation.reconcile_payments(session, rail)["breaks"] == 2
        first, second = session.scalars(select(ReconciliationBreak).order_by(ReconciliationBreak.kind)).all()
        reconciliation.resolve_break(session, world.officer, first.id, "sent_again", "never arrived")
        other = create_staff(session, StaffRole.FINANCE_OFFICER)
        with pytest.raises(DomainError) as waiting:  # one proposal at a time for the whole payment
            reconciliation.resolve_break(session, other, second.id, "matched", "it arrived")
        assert waiting.value.code == "break_outcome_proposed"
        reconciliation.confirm_break_outcome(
            session, create_staff(session, StaffRole.FINANCE_OFFICER), first.id, shown(session, first)
        )
        session.expire_all()
        assert status(session, payment) is PaymentStatus.FAILED
        closed = session.scalars(select(ReconciliationBreak)).all()
        assert {(b.outcome, b.resolved_at is not None) for b in closed} == {("sent_again", True)}
        assert len(closed) == 2


def test_a_second_officer_confirms_only_the_proposal_they_were_shown(session, broken) -> None:
    world, payment, item, _ = broken
    reconciliation.resolve_break(session, world.officer, item.id, "sent_again", "never arrived")
    seen_by_second = shown(session, item)
    # The proposer withdraws it and proposes something else while the second officer reads.
    reconciliation.decline_break_outcome(session, world.officer, item.id)
    reconciliation.resolve_break(session, world.officer, item.id, "matched", "it arrived after all")
    second = create_staff(session, StaffRole.FINANCE_OFFICER)
    with pytest.raises(DomainError) as refused:
        reconciliation.confirm_break_outcome(session, second, item.id, seen_by_second)
    assert refused.value.code == "break_proposal_changed"
    assert status(session, payment) is PaymentStatus.SENT
    assert session.get_one(ReconciliationBreak, item.id).resolved_at is None


def test_writing_a_break_off_needs_a_second_finance_officer(session, broken) -> None:
    world, payment, item, _ = broken
    proposed = reconciliation.resolve_break(
        session, world.officer, item.id, "written_off", "1p: not worth it"
    )
    assert proposed.resolved_at is None and proposed.proposed_outcome == "written_off"
    assert status(session, payment) is PaymentStatus.SENT  # nothing settled yet
    with pytest.raises(Forbidden):
        reconciliation.confirm_break_outcome(
            session, world.officer, item.id, shown(session, item)
        )  # not by its proposer
    with pytest.raises(Forbidden):
        reconciliation.confirm_break_outcome(
            session, world.approver, item.id, shown(session, item)
        )  # finance officers only
    with pytest.raises(DomainError):  # a second proposal cannot replace the first
        reconciliation.resolve_break(session, world.officer, item.id, "matched", "changed my mind")
    assert status(session, payment) is PaymentStatus.SENT

    second = create_staff(session, StaffRole.FINANCE_OFFICER)
    reconciliation.confirm_break_outcome(session, second, item.id, shown(session, item))
    assert status(session, payment) is PaymentStatus.PAID
    closed = session.get_one(ReconciliationBreak, item.id)
    assert (closed.outcome, closed.proposed_by_id, closed.resolved_by_id) == (
        "written_off",
        world.officer.id,
        second.id,
    )


def test_sending_a_payment_again_needs_a_second_officer_and_puts_its_invoices_in_the_next_batch(
    session, broken
) -> None:
    world, payment, item, _ = broken
    reconciliation.resolve_break(session, world.officer, item.id, "sent_again", "Stripe says never arrived")
    assert invoicing.build_batch(session, world.officer) is None  # nothing to pay again yet
    reconciliation.confirm_break_outcome(
        session, create_staff(session, StaffRole.FINANCE_OFFICER), item.id, shown(session, item)
    )
    assert status(session, payment) is PaymentStatus.FAILED
    again = invoicing.build_batch(session, world.officer)
    assert again is not None and [p.amount_pence for p in again.payments] == [payment.amount_pence]


def test_a_declined_proposal_leaves_the_break_open(session, broken) -> None:
    world, payment, item, _ = broken
    reconciliation.resolve_break(session, world.officer, item.id, "sent_again", "never arrived?")
    second = create_staff(session, StaffRole.FINANCE_OFFICER)
    reconciliation.decline_break_outcome(session, second, item.id)
    still = session.get_one(ReconciliationBreak, item.id)
    assert (still.resolved_at, still.proposed_outcome, still.proposed_by_id) == (None, None, None)
    assert status(session, payment) is PaymentStatus.SENT
    with pytest.raises(DomainError):
        reconciliation.confirm_break_outcome(
            session, second, item.id, shown(session, item)
        )  # nothing waits now


def test_a_paid_payment_cannot_be_sent_again(session, broken) -> None:
    world, payment, item, _ = broken
    invoicing.record_payment_paid(session, world.officer, payment.id)
    with pytest.raises(DomainError) as refused:
        reconciliation.resolve_break(session, world.officer, item.id, "sent_again", "resend")
    assert "cannot be sent again" in refused.value.detail


def test_the_database_refuses_any_outcome_settled_by_one_person(session, broken) -> None:
    world, _, item, _ = broken
    for outcome in ("matched", "written_off", "sent_again"):
        for proposer in (world.officer.id, None):
            row = session.get_one(ReconciliationBreak, item.id)
            row.outcome, row.resolved_by_id, row.proposed_by_id = outcome, world.officer.id, proposer
            with pytest.raises(IntegrityError):
                session.commit()
            session.rollback()


def test_a_resolved_break_reopens_only_when_the_rails_record_changes(session, broken) -> None:
    world, payment, item, _ = broken
    reconciliation.resolve_break(session, world.officer, item.id, "matched", "checked")
    reconciliation.confirm_break_outcome(
        session, create_staff(session, StaffRole.FINANCE_OFFICER), item.id, shown(session, item)
    )
    seen = dict(item.actual)
    assert reconciliation.open_break(session, payment.id, item.kind, item.expected, seen) == 0
    changed = {"amount_pence": seen["amount_pence"] + 5}
    assert reconciliation.open_break(session, payment.id, item.kind, item.expected, changed) == 1
