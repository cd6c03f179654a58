"""Reconciliation: each sent payment checked against the rail's own record.

Stripe payments are compared with Stripe's transfers (amount, currency, destination, reversal);
Bacs credits are taken as paid after their entry day unless the bank returned them. What does not
agree opens a break for a person. Stripe's webhooks are recorded, but never trusted alone.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM, Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import RuleBroken, rule
from invoicing import repository
from invoicing.models import ReconciliationBreak, StripeEvent
from invoicing.rails import Order, PaymentRail, bacs
from invoicing.rails.stripe import CURRENCY
from invoicing.service.common import required_reason, today_in_london
from invoicing.service.payment_outcomes import (
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
    """Open a break (once: an open break of the same kind is left as it is). Returns 1 if opened."""
    with transaction(session):
        if repository.has_open_break(session, payment_id, kind):
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


def resolve_break(session: Session, actor: Actor, break_id: uuid.UUID, note: str) -> ReconciliationBreak:
    """A finance officer closes a break with what they found and did."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    note = required_reason(note, "Say what you found", "Enter what you found and did", field="note")
    with transaction(session):
        item = repository.get_break(session, break_id, for_update=True)
        if item.resolved_at is not None:
            raise rule("break_resolved", "Already resolved", "This break is already resolved")
        item.resolved_at, item.resolved_by_id, item.resolution_note = utcnow(), actor.staff_id, note[:1000]
        payment = repository.get_payment(session, item.payment_id)
        audit.record(session, "payment.break_resolved", payment, actor, {"kind": item.kind, "note": note})
    return item


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
