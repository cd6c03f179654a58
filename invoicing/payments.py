"""Moving the money: submit approved batches to the rails, resolve lost answers, reconcile.

These run in the scheduler (``submit-approved-batches``, ``resolve-unknown-payments``,
``reconcile-payments``). No database transaction is held open while a rail is called: the
payment is read, the rail is asked, and the answer is recorded through the service layer in its
own transaction. A process killed between the rail's answer and our record leaves the payment
``created`` (or ``unknown``); the next run sends it again with the same idempotency key, and the
rail answers with the transfer it already made. So each payment moves money once, whatever fails.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, settings
from config.auth import SYSTEM, Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import FieldError, InvalidTransition, NotFound, ValidationFailed, rule
from invoicing import service
from invoicing.models import (
    BatchStatus,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
    ReconciliationBreak,
)
from invoicing.rails import Answer, Order, Outcome, PaymentRail
from invoicing.rails.stripe import CURRENCY, StripeRail


def stripe_rail() -> StripeRail:
    cfg = settings.current()
    return StripeRail(cfg.stripe_api_key, api_base=cfg.stripe_api_base or None)


def order_for(session: Session, payment: Payment) -> Order:
    numbers = session.scalars(
        select(Invoice.invoice_number)
        .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
        .where(PaymentAllocation.payment_id == payment.id)
        .order_by(Invoice.invoice_number)
    ).all()
    return Order(
        payment_id=payment.id,
        batch_id=payment.batch_id,
        amount_pence=payment.amount_pence,
        reference=payment.reference,
        stripe_account=payment.destination_stripe_account,
        invoice_numbers=tuple(numbers),
    )


def _record(session: Session, payment_id: uuid.UUID, answer: Answer) -> str:
    """Turn the rail's answer into our state; a second recorder (a twin scheduler) changes nothing."""
    try:
        if answer.outcome is Outcome.ACCEPTED:
            service.record_payment_sent(session, SYSTEM, payment_id, answer.rail_reference or "")
            return "sent"
        if answer.outcome is Outcome.REFUSED:
            service.record_payment_failed(session, SYSTEM, payment_id, answer.detail or "refused by the rail")
            return "failed"
        service.record_payment_unknown(session, SYSTEM, payment_id, answer.detail)
        return "unknown"
    except InvalidTransition:
        session.rollback()
        return "already_recorded"


def send_payment(session: Session, rail: PaymentRail, payment_id: uuid.UUID) -> str:
    payment = session.get_one(Payment, payment_id)
    if payment.status is not PaymentStatus.CREATED:
        session.rollback()
        return "already_recorded"
    order = order_for(session, payment)
    session.rollback()  # nothing held open while the rail is called
    return _record(session, payment_id, rail.send(order))


def submit_approved_batches(session: Session, rail: PaymentRail) -> dict[str, int]:
    """Hand approved batches due today to the rails (hash re-checked first), then send their payments."""
    counts: dict[str, int] = {"batches": 0, "tampered": 0}
    today = service.today_in_london()
    due = session.scalars(
        select(PaymentBatch.id).where(
            PaymentBatch.status == BatchStatus.APPROVED, PaymentBatch.payment_date <= today
        )
    ).all()
    session.rollback()
    for batch_id in due:
        try:
            service.submit_batch(session, SYSTEM, batch_id)
            counts["batches"] += 1
        except service.BatchTampered:
            session.rollback()
            counts["tampered"] += 1  # recorded nowhere else: the batch stays approved, no money moves
            _flag_tampered(session, batch_id)
    pending = session.scalars(
        select(Payment.id)
        .join(PaymentBatch, PaymentBatch.id == Payment.batch_id)
        .where(
            PaymentBatch.status == BatchStatus.SUBMITTED,
            Payment.status == PaymentStatus.CREATED,
            Payment.rail == Rail.STRIPE,
        )
        .order_by(Payment.created_at, Payment.id)
    ).all()
    session.rollback()
    for payment_id in pending:
        outcome = send_payment(session, rail, payment_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _flag_tampered(session: Session, batch_id: uuid.UUID) -> None:
    with transaction(session):
        batch = session.get_one(PaymentBatch, batch_id)
        audit.record(session, "batch.tamper_detected", batch, SYSTEM, {"content_hash": batch.content_hash})


def resolve_unknown_payments(session: Session, rail: PaymentRail) -> dict[str, int]:
    """A payment whose send got no answer: find it at the rail, else send it again with the same key."""
    counts: dict[str, int] = {}
    unknown = session.scalars(
        select(Payment.id).where(Payment.status == PaymentStatus.UNKNOWN, Payment.rail == Rail.STRIPE)
    ).all()
    session.rollback()
    for payment_id in unknown:
        payment = session.get_one(Payment, payment_id)
        order = order_for(session, payment)
        session.rollback()
        record = rail.look_up(order)
        if record is not None:
            outcome = _record(session, payment_id, Answer(Outcome.ACCEPTED, record.rail_reference))
        else:
            answer = rail.send(order)  # the same idempotency key: never a second transfer
            outcome = "unknown" if answer.outcome is Outcome.UNKNOWN else _record(session, payment_id, answer)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def reconcile_payments(session: Session, rail: PaymentRail) -> dict[str, int]:
    """Compare each sent payment with the rail's record: paid when they agree, a break when not."""
    counts = {"paid": 0, "failed": 0, "breaks": 0}
    sent = session.scalars(
        select(Payment).where(Payment.status == PaymentStatus.SENT, Payment.rail == Rail.STRIPE)
    ).all()
    orders = [
        (payment.id, order_for(session, payment), payment.destination_stripe_account) for payment in sent
    ]
    session.rollback()
    for payment_id, order, destination in orders:
        record = rail.look_up(order)
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
            service.record_payment_failed(session, SYSTEM, payment_id, "the transfer was reversed at Stripe")
            counts["failed"] += 1
        else:
            service.record_payment_paid(session, SYSTEM, payment_id)
            counts["paid"] += 1
    return counts


def open_break(
    session: Session, payment_id: uuid.UUID, kind: str, expected: dict[str, Any], actual: dict[str, Any]
) -> int:
    """Open a break (once: an open break of the same kind is left as it is). Returns 1 if opened."""
    with transaction(session):
        exists = session.scalars(
            select(ReconciliationBreak.id).where(
                ReconciliationBreak.payment_id == payment_id,
                ReconciliationBreak.kind == kind,
                ReconciliationBreak.resolved_at.is_(None),
            )
        ).first()
        if exists:
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
        payment = session.get_one(Payment, payment_id)
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
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            "Say what you found", errors=[FieldError("note", "Enter what you found and did")]
        )
    with transaction(session):
        item = session.get(ReconciliationBreak, break_id, with_for_update=True)
        if item is None:
            raise NotFound("No such break")
        if item.resolved_at is not None:
            raise rule("break_resolved", "Already resolved", "This break is already resolved")
        item.resolved_at, item.resolved_by_id, item.resolution_note = utcnow(), actor.staff_id, note[:1000]
        payment = session.get_one(Payment, item.payment_id)
        audit.record(session, "payment.break_resolved", payment, actor, {"kind": item.kind, "note": note})
    return item
