"""Reconciliation: each sent payment checked against the rail's own record.

Stripe payments are compared with Stripe's transfers (amount, currency, destination, reversal);
Bacs credits are taken as paid after their entry day unless the bank returned them. What does not
agree opens a break for a person. Stripe's webhooks are recorded, but never trusted alone.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM, Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import FieldError, Forbidden, RuleBroken, ValidationFailed, rule
from invoicing import repository
from invoicing.models import Payment, PaymentStatus, ReconciliationBreak, StripeEvent
from invoicing.rails import Order, PaymentRail, bacs
from invoicing.rails.stripe import CURRENCY
from invoicing.service.common import required_reason, today_in_london
from invoicing.service.payment_outcomes import (
    fail_payment,
    pay_payment,
    record_payment_failed,
    record_payment_paid,
    record_payments_paid,
)

PAID_CHUNK = 1_000  # payments recorded paid per transaction


def reconcile_payments(session: Session, rail: PaymentRail) -> dict[str, int]:
    """Compare each sent payment with the rail's record: paid when they agree, a break when not.

    The rail is read once for all of them (a page of transfers at a time); the payments that
    agree are recorded paid a chunk at a time, each chunk in one transaction.
    """
    counts = {"paid": 0, "failed": 0, "breaks": 0}
    # Rows, not objects: a day can leave 100,000 payments to reconcile. Looking a transfer up
    # needs no invoice numbers (only sending one does).
    orders = [Order(*row) for row in repository.sent_stripe_orders(session)]
    session.rollback()
    records = rail.look_up_many(orders)
    agreed: list[uuid.UUID] = []
    for order in orders:
        payment_id, destination = order.payment_id, order.stripe_account
        record = records.get(payment_id)
        if record is None:
            counts["breaks"] += open_break(
                session, payment_id, "missing_at_rail", {"payment_id": str(payment_id)}, {}
            )
            continue
        expected = {"amount_pence": order.amount_pence, "currency": CURRENCY, "destination": destination}
        actual = {
            "amount_pence": record.amount_pence,
            "currency": record.currency,
            "destination": record.destination,
        }
        wrong = [field for field in expected if expected[field] != actual[field]]
        if wrong:
            for field in wrong:
                counts["breaks"] += open_break(
                    session, payment_id, field, {field: expected[field]}, {field: actual[field]}
                )
            continue
        if record.reversed:
            record_payment_failed(session, SYSTEM, payment_id, "the transfer was reversed at Stripe")
            counts["failed"] += 1
        else:
            agreed.append(payment_id)
    for start in range(0, len(agreed), PAID_CHUNK):
        counts["paid"] += record_payments_paid(session, SYSTEM, agreed[start : start + PAID_CHUNK])
    return counts


def open_break(
    session: Session, payment_id: uuid.UUID, kind: str, expected: dict[str, Any], actual: dict[str, Any]
) -> int:
    """Open a break, once: an open break of the same kind is left as it is, and one resolved before
    opens again only if the rail's record has changed since. Returns 1 if opened."""
    with transaction(session):
        if repository.has_open_break(session, payment_id, kind):
            return 0
        if actual in repository.resolved_break_records(session, payment_id, kind):
            return 0
        item = ReconciliationBreak(
            id=uuid.uuid4(),
            payment_id=payment_id,
            kind=kind,
            expected=expected,
            actual=actual,
            opened_at=utcnow(),
        )
        session.add(item)
        payment = repository.get_payment(session, payment_id)
        audit.record(
            session,
            "payment.break_opened",
            payment,
            SYSTEM,
            {"kind": kind, "expected": expected, "actual": actual},
        )
    return 1


class BreakOutcome(StrEnum):
    """How a break ends. Matched: the money arrived as it should after all (the payment is paid).
    Written off: DWP accepts the difference and nothing is sent again (paid). Sent again: the
    money never arrived (failed: its invoices go into the next batch). Each settles or repeats a
    payment the rail's record does not bear out, so each needs a second finance officer: matched
    on one person's word would be a write-off by another name."""

    MATCHED = "matched"
    WRITTEN_OFF = "written_off"
    SENT_AGAIN = "sent_again"


def resolve_break(
    session: Session, actor: Actor, break_id: uuid.UUID, outcome: str, note: str
) -> ReconciliationBreak:
    """A finance officer proposes how a break ends, with what they found; nothing changes until a
    second officer confirms it (``confirm_break_outcome``)."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    note = required_reason(note, "Say what you found", "Enter what you found and did", field="note")
    chosen = _outcome(outcome)
    with transaction(session):
        item, payment = _open_break(session, break_id)
        if item.proposed_outcome is not None:
            raise rule(
                "break_outcome_proposed",
                "An outcome is waiting",
                "Another finance officer has proposed an outcome: confirm or decline it first",
            )
        if any(other.proposed_outcome for other in repository.other_open_breaks(session, item)):
            raise rule(
                "break_outcome_proposed",
                "An outcome is waiting",
                "An outcome is already proposed for another break on this payment: confirm or decline "
                "that first (an outcome settles the whole payment)",
            )
        _check_payment_allows(payment, chosen)
        item.resolution_note = note
        item.proposed_outcome, item.proposed_by_id, item.proposed_at = chosen, actor.staff_id, utcnow()
        audit.record(
            session,
            "payment.break_outcome_proposed",
            payment,
            actor,
            {"kind": item.kind, "outcome": chosen.value, "note": note},
        )
    return item


def proposal_key(item: ReconciliationBreak) -> str:
    """What a second officer was shown: the outcome, who proposed it and when (a proposal withdrawn
    and made again, even with the same outcome, is another proposal)."""
    when = item.proposed_at.isoformat() if item.proposed_at else ""
    return f"{item.proposed_outcome}/{item.proposed_by_id}/{when}"


def confirm_break_outcome(
    session: Session, actor: Actor, break_id: uuid.UUID, seen: str
) -> ReconciliationBreak:
    """A second finance officer confirms the proposal they were shown (``seen``, its
    ``proposal_key``), and it takes effect; one changed since is refused."""
    actor.require_role(StaffRole.FINANCE_OFFICER)

    def same_person() -> Forbidden:
        return Forbidden("Someone other than the person who proposed this outcome must confirm it")

    with transaction(session, {"second_person_settles": same_person}):
        item, payment = _open_break(session, break_id)
        if item.proposed_outcome is None:
            raise rule("break_nothing_proposed", "Nothing to confirm", "No outcome is waiting for this break")
        if item.proposed_by_id == actor.staff_id:
            raise same_person()
        if proposal_key(item) != seen:
            raise rule(
                "break_proposal_changed",
                "The proposal changed",
                "The proposed outcome changed after you opened the page: read it again before you confirm",
            )
        chosen = BreakOutcome(item.proposed_outcome)
        _check_payment_allows(payment, chosen)
        _close(session, actor, item, payment, chosen)
    return item


def decline_break_outcome(session: Session, actor: Actor, break_id: uuid.UUID) -> ReconciliationBreak:
    """A proposed outcome set aside (by a second officer, or withdrawn by its proposer): the break
    stays open and nothing is paid or sent."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        item, payment = _open_break(session, break_id)
        if item.proposed_outcome is None:
            raise rule("break_nothing_proposed", "Nothing to decline", "No outcome is waiting for this break")
        declined = item.proposed_outcome
        item.proposed_outcome = item.proposed_by_id = item.proposed_at = None
        audit.record(
            session,
            "payment.break_outcome_declined",
            payment,
            actor,
            {"kind": item.kind, "outcome": declined},
        )
    return item


def _outcome(value: str) -> BreakOutcome:
    try:
        return BreakOutcome(value)
    except ValueError:
        raise ValidationFailed(
            "Choose what happened", errors=[FieldError("outcome", "Select what happened")]
        ) from None


def _open_break(session: Session, break_id: uuid.UUID) -> tuple[ReconciliationBreak, Payment]:
    item = repository.get_break(session, break_id, for_update=True)
    if item.resolved_at is not None:
        raise rule("break_resolved", "Already resolved", "This break is already resolved")
    return item, repository.get_payment(session, item.payment_id, for_update=True)


def _check_payment_allows(payment: Payment, outcome: BreakOutcome) -> None:
    if outcome is BreakOutcome.SENT_AGAIN and payment.status not in (
        PaymentStatus.SENT,
        PaymentStatus.UNKNOWN,
    ):
        raise rule(
            "break_cannot_send_again",
            "It cannot be sent again",
            f"This payment is {payment.status.value}: it cannot be sent again",
        )


def _close(
    session: Session, actor: Actor, item: ReconciliationBreak, payment: Payment, outcome: BreakOutcome
) -> None:
    """Close the break with its outcome, and settle the payment to match, in the caller's
    transaction. The outcome is a decision about the payment, so the payment's other open breaks
    close with it (each with its own audit event): none is left open on a settled payment."""
    now = utcnow()
    for each in [item, *repository.other_open_breaks(session, item)]:
        each.outcome, each.resolved_at, each.resolved_by_id = outcome.value, now, actor.staff_id
        each.proposed_outcome, each.proposed_by_id = outcome.value, item.proposed_by_id
        each.proposed_at = each.proposed_at or item.proposed_at
        if each is not item:
            each.resolution_note = item.resolution_note
        audit.record(
            session,
            "payment.break_resolved",
            payment,
            actor,
            {"kind": each.kind, "outcome": outcome.value, "note": item.resolution_note},
        )
    if outcome is BreakOutcome.SENT_AGAIN:
        fail_payment(session, actor, payment, f"Sent again after a reconciliation break ({item.kind})")
    elif payment.status in (PaymentStatus.SENT, PaymentStatus.UNKNOWN):
        pay_payment(session, actor, payment, reason=f"Break {outcome.value.replace('_', ' ')}")


def reconcile_bacs(session: Session, today: date | None = None) -> int:
    """A Bacs credit not returned by the day after its entry day is taken as paid."""
    today = today or today_in_london()
    sent = repository.sent_bacs_payments(session)
    session.rollback()
    paid = 0
    for payment_id, processing in sent:
        if bacs.entry_day(processing) < today:
            record_payment_paid(session, SYSTEM, payment_id)
            paid += 1
    return paid


def record_stripe_event(session: Session, event: dict[str, Any]) -> bool:
    """Record a verified Stripe event once (by its id). Returns False for one already recorded.

    A webhook is a hint, never the truth: what it says about a transfer is acted on only by the
    reconcile-payments job, which reads the transfer from Stripe's own API.
    """
    event_id = str(event.get("id", ""))
    duplicate = {
        "stripe_events": lambda: rule("duplicate_event", "Already recorded", "Event already recorded")
    }
    try:
        with transaction(session, duplicate):
            if repository.stripe_event_recorded(session, event_id):
                return False
            session.add(
                StripeEvent(
                    id=uuid.uuid4(),
                    event_id=event_id,
                    event_type=str(event.get("type", ""))[:100],
                    received_at=utcnow(),
                    payload=event,
                )
            )
    except RuleBroken:
        return False  # the same event arriving twice at once: the other delivery recorded it
    return True
