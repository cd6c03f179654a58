"""Statements to the award calculation (``invoicing.service.statements``), what a later, lower
award leaves (``invoicing.service.awards``) and the reconciliation of statements against paid
invoices (``invoicing.queries.statements``)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import claims.systems
from claimants.models import Parent
from claims import PeriodFacts, Statement
from claims.models import DevClaim, DevClaimStatement
from config import audit
from config.auth import SYSTEM
from config.database import utcnow
from config.extensions import database
from config.notify import Notification
from config.scheduler import run_job
from invoicing import service
from invoicing.models import ApStatement, AwardDifference, Invoice, InvoiceStatus, PaymentBatch
from invoicing.queries.statements import GRACE, statement_breaks
from invoicing.service import awards, statements
from tests.factories import World, create_child, create_consent, create_provider, invoice_input


def pay(session: Session, world: World, *, only_first: bool = False) -> PaymentBatch:
    """Batch every approved invoice, send the batch, and record its payments paid (or only the
    first: the others stay sent)."""
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    for n, payment in enumerate(sorted(batch.payments, key=lambda p: str(p.id))):
        service.record_payment_sent(session, SYSTEM, payment.id, f"tr_{payment.id}")
        if n == 0 or not only_first:
            service.record_payment_paid(session, SYSTEM, payment.id)
    return batch


def all_statements(session: Session) -> list[ApStatement]:
    session.expire_all()
    return list(session.scalars(select(ApStatement).order_by(ApStatement.version)))


def second_invoice(session: Session, world: World, *, other_provider: bool = False) -> Invoice:
    """Another approved invoice of the world's parent in the same AP, for a second child (so the
    care does not overlap), at the world's nursery or at another one."""
    provider_user = world.provider_user
    if other_provider:
        _provider, provider_user = create_provider(session)
    child = create_child(session, world.parent, first_name="Kit")
    consent = create_consent(session, provider_user, world.parent, child)
    invoice = service.submit_invoice(session, provider_user, invoice_input(consent))
    service.confirm_invoice(session, world.parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.APPROVED, invoice.flags
    return invoice


def test_a_statement_is_made_once_an_aps_invoices_are_paid(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    pay(session, world)
    [statement] = all_statements(session)
    session.refresh(invoice)
    parent = session.get_one(Parent, world.parent.parent_id)
    assert (statement.parent_id, statement.claim_reference) == (parent.id, parent.uc_claim_reference)
    assert (statement.ap_start, statement.ap_end) == (invoice.ap_start, invoice.ap_end)
    assert (statement.version, statement.is_current, statement.total_pence) == (1, True, invoice.dwp_pence)
    assert statement.lines == [
        {
            "provider_id": str(world.provider.id),
            "provider_name": world.provider.name,
            "invoice_id": str(invoice.id),
            "invoice_number": invoice.invoice_number,
            "paid_pence": invoice.dwp_pence,
        }
    ]
    assert statement.sent_at is None and statement.receipt is None
    [made] = audit.events_for(session, "ap_statements", statement.id)
    assert made.action == "statement.made" and made.data["total_pence"] == invoice.dwp_pence


def test_an_ap_waits_for_its_invoices_still_on_their_way(session: Session) -> None:
    world = World(session)
    first = world.approved_invoice()
    second = second_invoice(session, world, other_provider=True)
    batch = pay(session, world, only_first=True)
    assert len(batch.payments) == 2
    assert all_statements(session) == []  # the other payment is still sent, not paid
    for payment in batch.payments:
        if payment.status.value == "sent":
            service.record_payment_paid(session, SYSTEM, payment.id)
    [statement] = all_statements(session)
    session.refresh(first)
    session.refresh(second)
    assert statement.invoice_ids == {first.id, second.id}
    assert statement.total_pence == first.dwp_pence + second.dwp_pence


def test_one_current_statement_per_parent_and_ap_and_equal_content_makes_nothing(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    pay(session, world)
    [statement] = all_statements(session)
    assert statements.refresh_statements(session, SYSTEM, {(invoice.parent_id, invoice.ap_start)}) == []
    session.commit()
    assert len(all_statements(session)) == 1
    session.add(
        ApStatement(
            parent_id=statement.parent_id,
            claim_reference=statement.claim_reference,
            ap_start=statement.ap_start,
            ap_end=statement.ap_end,
            version=2,
            is_current=True,
            total_pence=0,
            lines=[],
            made_at=utcnow(),
        )
    )
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        session.commit()
    session.rollback()


def test_a_second_invoice_paid_later_makes_version_2_and_keeps_version_1_as_it_was(session: Session) -> None:
    world = World(session)
    first = world.approved_invoice()
    pay(session, world)
    [one] = all_statements(session)
    lines_of_one = list(one.lines)
    second = second_invoice(session, world)
    assert second.ap_start == first.ap_start
    pay(session, world)
    one, two = all_statements(session)
    session.refresh(second)
    assert (one.version, one.is_current, one.lines, one.total_pence) == (
        1,
        False,
        lines_of_one,
        first.dwp_pence,
    )
    assert (two.version, two.is_current) == (2, True)
    assert two.invoice_ids == {first.id, second.id}
    assert two.total_pence == first.dwp_pence + second.dwp_pence
    assert audit.events_for(session, "ap_statements", two.id)[0].data["replaces"] == str(one.id)


def test_a_credit_note_recovered_from_a_later_payment_corrects_the_statement(session: Session) -> None:
    world = World(session)
    first = world.approved_invoice()
    pay(session, world)
    service.issue_credit_note(session, world.provider_user, first.id, 10_000, "Two days closed")
    assert len(all_statements(session)) == 1  # not recovered yet: DWP has still paid it all
    second = second_invoice(session, world)
    batch = pay(session, world)
    assert batch.payments[0].credit_pence == 10_000
    one, two = all_statements(session)
    session.refresh(first)
    session.refresh(second)
    paid = {line["invoice_id"]: line["paid_pence"] for line in two.lines}
    assert paid == {str(first.id): first.dwp_pence - 10_000, str(second.id): second.dwp_pence}
    assert two.total_pence == first.dwp_pence - 10_000 + second.dwp_pence
    assert one.total_pence == first.dwp_pence


def test_a_payment_the_bank_returns_takes_its_invoice_out_in_a_correction(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = pay(session, world)
    service.record_payment_failed(session, SYSTEM, batch.payments[0].id, "Returned by the bank")
    one, two = all_statements(session)
    assert (one.is_current, two.is_current, two.version) == (False, True, 2)
    assert (two.lines, two.total_pence) == ([], 0)


# --- after payment: the decision table ----------------------------------------------------------


def set_award(session: Session, world: World, element_pence: int | None) -> None:
    """The development claim system calculates the parent's award: its childcare element."""
    parent = session.get_one(Parent, world.parent.parent_id)
    claim = session.scalars(select(DevClaim).where(DevClaim.reference == parent.uc_claim_reference)).first()
    if claim is None:
        claim = DevClaim(reference=parent.uc_claim_reference, claim_start_date=parent.claim_start_date)
        session.add(claim)
    claim.childcare_element_pence = element_pence
    session.commit()


@pytest.mark.parametrize(
    ("award", "difference"),
    [
        pytest.param(-5_000, 5_000, id="award below what was paid: the difference"),
        pytest.param(0, None, id="award equal: nothing"),
        pytest.param(10_000, None, id="award above: nothing"),
        pytest.param(None, None, id="award not calculated yet: nothing"),
    ],
)
def test_after_payment_a_lower_award_leaves_a_difference_against_the_parent(
    session: Session, award: int | None, difference: int | None
) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    pay(session, world)
    set_award(session, world, None if award is None else invoice.dwp_pence + award)
    counts = awards.check_awards(session, SYSTEM)
    awards.check_awards(session, SYSTEM)  # twice: recorded once
    found = list(session.scalars(select(AwardDifference)))
    emails = list(session.scalars(select(Notification).where(Notification.template == "award_difference")))
    if difference is None:
        assert found == [] and emails == []
        assert counts["not_calculated" if award is None else "checked"] == 1
        return
    [recorded] = found
    [statement] = all_statements(session)
    assert (recorded.paid_pence, recorded.element_pence, recorded.difference_pence) == (
        invoice.dwp_pence,
        invoice.dwp_pence - difference,
        difference,
    )
    assert (recorded.statement_id, recorded.statement_version) == (statement.id, 1)
    assert [e.action for e in audit.events_for(session, "award_differences", recorded.id)] == [
        "award_difference.found"
    ]
    [email] = emails
    assert email.email == session.get_one(Parent, world.parent.parent_id).email
    assert email.personalisation["difference"] == "£50.00"
    # The nursery keeps what it was paid: its payment and invoice are as they were.
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    # The award recalculated lower again is measured again, once.
    set_award(session, world, invoice.dwp_pence - 2 * difference)
    assert awards.check_awards(session, SYSTEM)["differences"] == 1
    assert session.scalar(select(func.count()).select_from(AwardDifference)) == 2


# --- sending ------------------------------------------------------------------------------------


class DownClaimSystem:
    """A claim system that cannot be reached."""

    def period(self, claim_reference: str, on: object) -> PeriodFacts | None:
        raise ConnectionError("claim system unreachable")

    def send_statement(self, statement: Statement) -> str:
        raise ConnectionError("claim system unreachable")


def test_the_job_sends_each_statement_once_even_run_twice(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    pay(session, world)
    first = run_job(database().session_factory, "send-statements")
    second = run_job(database().session_factory, "send-statements")
    assert (first.outcome, first.counts, second.counts) == (
        "succeeded",
        {"sent": 1, "failed": 0},
        {"sent": 0, "failed": 0},
    )
    [statement] = all_statements(session)
    assert statement.sent_at is not None and statement.receipt == f"dev-{statement.id}"
    [received] = session.scalars(select(DevClaimStatement)).all()
    assert (received.statement_id, received.version, received.total_pence) == (
        statement.id,
        1,
        statement.total_pence,
    )
    actions = [e.action for e in audit.events_for(session, "ap_statements", statement.id)]
    assert actions == ["statement.made", "statement.sent"]


def test_a_statement_the_claim_system_does_not_take_is_sent_on_a_later_run(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    pay(session, world)
    claims.systems.use(DownClaimSystem())
    try:
        down = run_job(database().session_factory, "send-statements")
    finally:
        claims.systems.use(None)
    assert (down.outcome, down.counts) == ("succeeded", {"sent": 0, "failed": 1})
    [statement] = all_statements(session)
    assert statement.sent_at is None
    assert run_job(database().session_factory, "send-statements").counts == {"sent": 1, "failed": 0}
    assert all_statements(session)[0].sent_at is not None
    assert session.scalar(select(func.count()).select_from(DevClaimStatement)) == 1


def test_a_statement_sent_but_not_recorded_before_a_crash_is_received_once(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    pay(session, world)
    [statement] = all_statements(session)
    system = claims.systems.current(session)
    system.send_statement(statements.as_claims_statement(statement))  # sent, then the process died
    assert statements.send_statements(session, SYSTEM) == {"sent": 1, "failed": 0}
    assert session.scalar(select(func.count()).select_from(DevClaimStatement)) == 1


# --- reconciliation -----------------------------------------------------------------------------


def test_a_paid_invoice_in_no_statement_is_a_break_after_the_grace_time(session: Session) -> None:
    world = World(session)
    first = world.approved_invoice()
    second_invoice(session, world, other_provider=True)
    pay(session, world, only_first=True)  # the AP waits for the other payment
    paid = session.scalars(select(Invoice).where(Invoice.status == InvoiceStatus.PAID)).one()
    assert statement_breaks(session) == []
    [item] = statement_breaks(session, now=utcnow() + GRACE + timedelta(hours=1))
    assert (item.kind, item.invoice_id, item.statement_ids) == ("in_none", paid.id, ())
    assert first.parent_id == item.parent_id


def test_a_current_statement_naming_an_unpaid_invoice_is_a_break(session: Session) -> None:
    world = World(session)
    first = world.approved_invoice()
    batch = pay(session, world)
    [statement] = all_statements(session)
    second = second_invoice(session, world)  # approved: the AP is on its way again
    assert second.ap_start == first.ap_start
    service.record_payment_failed(session, SYSTEM, batch.payments[0].id, "Returned by the bank")
    assert len(all_statements(session)) == 1  # not corrected while the AP waits for the second
    [item] = statement_breaks(session)
    assert (item.kind, item.invoice_id, item.status, item.statement_ids) == (
        "not_paid",
        first.id,
        InvoiceStatus.PAYMENT_FAILED,
        (statement.id,),
    )


def test_a_paid_invoice_in_two_current_statements_is_a_break(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    pay(session, world)
    [statement] = all_statements(session)
    assert statement_breaks(session) == []
    # A statement that should not be: the same invoice told for another AP.
    stray = ApStatement(
        id=uuid.uuid4(),
        parent_id=statement.parent_id,
        claim_reference=statement.claim_reference,
        ap_start=statement.ap_start - timedelta(days=31),
        ap_end=statement.ap_start - timedelta(days=1),
        version=1,
        is_current=True,
        total_pence=statement.total_pence,
        lines=statement.lines,
        made_at=utcnow(),
    )
    session.add(stray)
    session.commit()
    [item] = statement_breaks(session)
    assert (item.kind, item.invoice_id) == ("in_two", invoice.id)
    assert set(item.statement_ids) == {statement.id, stray.id}


def test_one_claim_the_claim_system_cannot_answer_does_not_stop_the_others_award_checks(
    session: Session,
) -> None:
    first, second = World(session), World(session)
    for world in (first, second):
        world.approved_invoice()
    pay(session, first)
    for world in (first, second):
        set_award(session, world, 100)  # both awards, calculated after DWP paid, allow £1
    real = claims.systems.current(session)
    broken = session.get_one(Parent, first.parent.parent_id).uc_claim_reference

    class OneClaimDown:
        """DWP's claim system failing for one claim only (the edge: no such failure can be made here)."""

        def period(self, claim_reference: str, on):
            if claim_reference == broken:
                raise claims.ClaimSystemUnavailable("timed out")
            return real.period(claim_reference, on)

        def send_statement(self, statement: Statement) -> str:
            return real.send_statement(statement)

    claims.systems.use(OneClaimDown())
    try:
        counts = awards.check_awards(session, SYSTEM)
    finally:
        claims.systems.use(None)
    assert (counts["unavailable"], counts["differences"]) == (1, 1)
    [found] = session.scalars(select(AwardDifference))
    assert found.parent_id == second.parent.parent_id
