"""Moving the money: submit approved batches to the rails, resolve lost answers, reconcile.

These run in the scheduler (``submit-approved-batches``, ``resolve-unknown-payments``,
``reconcile-payments``). No database transaction is held open while a rail is called: the
payment is read, the rail is asked, and the answer is recorded through the service layer in its
own transaction. A process killed between the rail's answer and our record leaves the payment
``created`` (or ``unknown``); the next run sends it again with the same idempotency key, and the
rail answers with the transfer it already made. So each payment moves money once, whatever fails.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import audit, settings
from config.auth import SYSTEM, Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import (
    ConcurrentChange,
    FieldError,
    InvalidTransition,
    NotFound,
    RuleBroken,
    ValidationFailed,
    rule,
)
from invoicing import service
from invoicing.models import (
    BacsFile,
    BatchStatus,
    Invoice,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
    ReconciliationBreak,
    StripeEvent,
)
from invoicing.rails import Answer, Order, Outcome, PaymentRail, bacs
from invoicing.rails.stripe import CURRENCY, StripeRail


def stripe_rail() -> StripeRail:
    cfg = settings.current()
    return StripeRail(cfg.stripe_api_key, api_base=cfg.stripe_api_base or None)


IN_LIST_SIZE = 10_000
PAID_CHUNK = 1_000  # payments recorded paid per transaction


def orders_for(session: Session, payments: list[Payment]) -> list[Order]:
    """What the rail needs for each payment, with all their invoice numbers read in one query."""
    numbers: dict[uuid.UUID, list[str]] = {payment.id: [] for payment in payments}
    ids = list(numbers)
    for start in range(0, len(ids), IN_LIST_SIZE):  # a statement takes at most 65,535 parameters
        rows = session.execute(
            select(PaymentAllocation.payment_id, Invoice.invoice_number)
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(PaymentAllocation.payment_id.in_(ids[start : start + IN_LIST_SIZE]))
            .order_by(Invoice.invoice_number)
        )
        for payment_id, number in rows:
            numbers[payment_id].append(number)
    return [
        Order(
            payment_id=payment.id,
            batch_id=payment.batch_id,
            amount_pence=payment.amount_pence,
            reference=payment.reference,
            stripe_account=payment.destination_stripe_account,
            invoice_numbers=tuple(numbers[payment.id]),
        )
        for payment in payments
    ]


def order_for(session: Session, payment: Payment) -> Order:
    return orders_for(session, [payment])[0]


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
        select(Payment).where(Payment.status == PaymentStatus.UNKNOWN, Payment.rail == Rail.STRIPE)
    ).all()
    orders = orders_for(session, list(unknown))
    session.rollback()
    for order in orders:
        payment_id = order.payment_id
        record = rail.look_up(order)
        if record is not None:
            outcome = _record(session, payment_id, Answer(Outcome.ACCEPTED, record.rail_reference))
        else:
            answer = rail.send(order)  # the same idempotency key: never a second transfer
            outcome = "unknown" if answer.outcome is Outcome.UNKNOWN else _record(session, payment_id, answer)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def reconcile_payments(session: Session, rail: PaymentRail) -> dict[str, int]:
    """Compare each sent payment with the rail's record: paid when they agree, a break when not.

    The rail is read once for all of them (a page of transfers at a time); the payments that
    agree are recorded paid a chunk at a time, each chunk in one transaction.
    """
    counts = {"paid": 0, "failed": 0, "breaks": 0}
    # Rows, not objects: a day can leave 100,000 payments to reconcile. Looking a transfer up
    # needs no invoice numbers (only sending one does).
    orders = [
        Order(*row)
        for row in session.execute(
            select(
                Payment.id,
                Payment.batch_id,
                Payment.amount_pence,
                Payment.reference,
                Payment.destination_stripe_account,
            ).where(Payment.status == PaymentStatus.SENT, Payment.rail == Rail.STRIPE)
        )
    ]
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
            service.record_payment_failed(session, SYSTEM, payment_id, "the transfer was reversed at Stripe")
            counts["failed"] += 1
        else:
            agreed.append(payment_id)
    for start in range(0, len(agreed), PAID_CHUNK):
        counts["paid"] += service.record_payments_paid(session, SYSTEM, agreed[start : start + PAID_CHUNK])
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


# --- Bacs -------------------------------------------------------------------------------------


def bacs_file(session: Session, actor: Actor, batch_id: uuid.UUID) -> BacsFile:
    """The batch's Standard 18 file, made the first time an approver asks for it and kept.

    Making it submits the batch (its hash is re-checked first) and records each Bacs payment as
    sent; asking again answers the same file.
    """
    actor.require_role(StaffRole.APPROVER)
    existing = session.scalars(select(BacsFile).where(BacsFile.batch_id == batch_id)).one_or_none()
    if existing is not None:
        return existing
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        raise NotFound("No such batch")
    if batch.status is BatchStatus.APPROVED:
        service.submit_batch(session, actor, batch_id)
    cfg = settings.current()
    today = service.today_in_london()
    conflicts = {"bacs_files": lambda: ConcurrentChange("The file is being made by someone else: try again")}
    with transaction(session, conflicts):
        batch = session.get_one(PaymentBatch, batch_id, with_for_update=True)
        if batch.status is not BatchStatus.SUBMITTED:
            raise rule("batch_not_submitted", "Batch not approved", "Only an approved batch has a Bacs file")
        to_pay = [p for p in batch.payments if p.rail is Rail.BACS and p.status is PaymentStatus.CREATED]
        if not to_pay:
            raise rule("no_bacs_payments", "No Bacs payments", "This batch has no Bacs payments to send")
        serial = 1 + (session.scalar(select(func.count()).where(BacsFile.created_on == today)) or 0)
        processing = bacs.processing_day(today)
        content = bacs.standard18(
            bacs.Originator(
                cfg.bacs_service_user_number,
                cfg.bacs_sort_code,
                cfg.bacs_account_number,
                cfg.service_user_name,
            ),
            [
                bacs.Credit(
                    p.destination_sort_code or "",
                    p.destination_account_number or "",
                    p.destination_account_name or "",
                    p.amount_pence,
                    p.reference,
                )
                for p in sorted(to_pay, key=lambda p: p.reference)
            ],
            serial=serial,
            created=today,
            processing=processing,
        )
        item = BacsFile(
            id=uuid.uuid4(),
            batch_id=batch.id,
            serial=serial,
            created_on=today,
            processing_day=processing,
            content=content,
            content_sha256=hashlib.sha256(content.encode()).hexdigest(),
            made_by_id=actor.staff_id,
            made_at=utcnow(),
        )
        session.add(item)
        audit.record(
            session,
            "batch.bacs_file_made",
            batch,
            actor,
            {"serial": serial, "processing_day": processing.isoformat(), "sha256": item.content_sha256},
        )
        # Recorded sent with the file, in its transaction: a file exists exactly when its
        # payments are on their way. The file's maker is on the batch's audit event above.
        for payment in to_pay:
            service.mark_payment_sent(session, SYSTEM, payment, f"BACS {today:%y%m%d}/{serial:06d}")
    return item


def reconcile_bacs(session: Session, today: date | None = None) -> int:
    """A Bacs credit not returned by the day after its entry day is taken as paid."""
    today = today or service.today_in_london()
    sent = session.execute(
        select(Payment.id, BacsFile.processing_day)
        .join(BacsFile, BacsFile.batch_id == Payment.batch_id)
        .where(Payment.status == PaymentStatus.SENT, Payment.rail == Rail.BACS)
    ).all()
    session.rollback()
    paid = 0
    for payment_id, processing in sent:
        if bacs.entry_day(processing) < today:
            service.record_payment_paid(session, SYSTEM, payment_id)
            paid += 1
    return paid


def import_bacs_returns(session: Session, actor: Actor, text: str) -> dict[str, int]:
    """The bank's returned credits (ARUCS, as CSV: reference, amount_pence, reason): each fails its payment.

    A line that names no payment of ours, or the wrong amount, is refused as a whole (nothing
    changed) with the line number, so a person can look.
    """
    actor.require_role(StaffRole.FINANCE_OFFICER)
    rows = list(csv.reader(io.StringIO(text.strip())))
    if rows and rows[0] and rows[0][0].strip().lower() == "reference":
        rows = rows[1:]
    found: list[tuple[uuid.UUID, str]] = []
    errors: list[FieldError] = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 3:
            errors.append(
                FieldError(f"line {number}", "Each line needs a reference, an amount in pence and a reason")
            )
            continue
        reference, amount, reason = (cell.strip() for cell in row[:3])
        payment = session.scalars(select(Payment).where(Payment.reference == reference)).one_or_none()
        if payment is None or payment.rail is not Rail.BACS:
            errors.append(FieldError(f"line {number}", f"No Bacs payment has the reference {reference}"))
        elif not amount.isdigit() or int(amount) != payment.amount_pence:
            errors.append(
                FieldError(f"line {number}", f"The amount for {reference} does not match the payment")
            )
        elif payment.status not in (PaymentStatus.SENT, PaymentStatus.PAID):
            continue  # already failed or returned: importing the same file twice changes nothing
        else:
            found.append((payment.id, reason or "returned by the bank"))
    session.rollback()
    if errors:
        raise ValidationFailed("The returns file has problems: nothing was changed", errors=errors)
    for payment_id, reason in found:
        service.record_payment_failed(session, actor, payment_id, f"Bacs return: {reason}")
    return {"returned": len(found)}


# --- Stripe's webhooks --------------------------------------------------------------------------


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
            if session.scalars(select(StripeEvent.id).where(StripeEvent.event_id == event_id)).first():
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
