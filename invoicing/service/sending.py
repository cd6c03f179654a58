"""Moving the money: approved batches handed to the rails, lost answers resolved, Bacs files made.

These run in the scheduler (``submit-approved-batches``, ``resolve-unknown-payments``), except
the Bacs file, which an approver asks for. No database transaction is held open while a rail is
called: the payment is read, the rail is asked, and the answer is recorded through the service
layer in its own transaction. A process killed between the rail's answer and our record leaves
the payment ``created`` (or ``unknown``); the next run sends it again with the same idempotency
key, and the rail answers with the transfer it already made. So each payment moves money once,
whatever fails.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy.orm import Session

from config import audit, settings
from config.auth import SYSTEM, Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import ConcurrentChange, DomainError, InvalidTransition, rule
from invoicing import repository
from invoicing.models import BacsFile, BatchStatus, Payment, PaymentStatus, Rail
from invoicing.rails import Answer, Order, Outcome, PaymentRail, bacs
from invoicing.rails.stripe import StripeRail
from invoicing.service.approval import (
    BatchTampered,
    PayeeChanged,
    check_payees,
    hand_to_rails,
    stop_changed_batch,
    submit_batch,
)
from invoicing.service.common import required_reason, today_in_london
from invoicing.service.payment_outcomes import (
    mark_payment_sent,
    record_payment_failed,
    record_payment_sent,
    record_payment_unknown,
)


def stripe_rail() -> StripeRail:
    cfg = settings.current()
    return StripeRail(cfg.stripe_api_key, api_base=cfg.stripe_api_base or None)


def orders_for(session: Session, payments: list[Payment]) -> list[Order]:
    """What the rail needs for each payment, with all their invoice numbers read in one query."""
    numbers = repository.invoice_numbers_of_payments(session, [payment.id for payment in payments])
    return [
        Order(
            payment_id=payment.id,
            batch_id=payment.batch_id,
            amount_pence=payment.amount_pence,
            reference=payment.reference,
            stripe_account=payment.destination_stripe_account,
            invoice_numbers=tuple(numbers.get(payment.id, [])),
        )
        for payment in payments
    ]


def order_for(session: Session, payment: Payment) -> Order:
    return orders_for(session, [payment])[0]


def _record(session: Session, payment_id: uuid.UUID, answer: Answer) -> str:
    """Turn the rail's answer into our state; a second recorder (a twin scheduler) changes nothing."""
    try:
        if answer.outcome is Outcome.ACCEPTED:
            record_payment_sent(session, SYSTEM, payment_id, answer.rail_reference or "")
            return "sent"
        if answer.outcome is Outcome.REFUSED:
            record_payment_failed(session, SYSTEM, payment_id, answer.detail or "refused by the rail")
            return "failed"
        record_payment_unknown(session, SYSTEM, payment_id, answer.detail)
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
    due = repository.approved_batches_due(session, today_in_london())
    session.rollback()
    for batch_id in due:
        try:
            submit_batch(session, SYSTEM, batch_id)
            counts["batches"] += 1
        except (BatchTampered, PayeeChanged) as error:
            session.rollback()
            counts["tampered"] += 1  # no money moves: the batch is stopped, for a person to cancel
            stop_changed_batch(session, SYSTEM, batch_id, error.title.lower())
    pending = repository.stripe_payments_to_send(session)
    session.rollback()
    for payment_id in pending:
        outcome = send_payment(session, rail, payment_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def resolve_unknown_payments(session: Session, rail: PaymentRail) -> dict[str, int]:
    """A payment whose send got no answer: find it at the rail, else send it again with the same key."""
    counts: dict[str, int] = {}
    orders = orders_for(session, repository.unknown_stripe_payments(session))
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


class BacsFileProblem(DomainError):
    status = 409
    code = "bacs_file_problem"
    title = "The Bacs file could not be made"


def make_bacs_file(session: Session, actor: Actor, batch_id: uuid.UUID) -> BacsFile:
    """An approver makes the batch's Standard 18 file: the batch goes to the rails (its hash checked
    first) and the file is kept, in one transaction. Its payments are not sent yet: they are when
    the approver records the file as submitted to the bank (``record_bacs_file_submitted``).

    Refused (nothing changed, the batch stays approved) when the batch already has a file, has no
    Bacs payment to send, or the file cannot be made (``BacsFileProblem`` says why).
    """
    actor.require_role(StaffRole.APPROVER)
    cfg = settings.current()
    today = today_in_london()

    def taken() -> DomainError:
        return ConcurrentChange("Another file was made at the same time: look at the batch again")

    try:
        return _make_bacs_file(session, actor, batch_id, cfg, today, taken)
    except (BatchTampered, PayeeChanged) as error:
        if repository.get_batch(session, batch_id).status is BatchStatus.APPROVED:
            stop_changed_batch(session, actor, batch_id, error.title.lower())
        else:
            session.rollback()
        raise


def _make_bacs_file(
    session: Session, actor: Actor, batch_id: uuid.UUID, cfg: Any, today: Any, taken: Any
) -> BacsFile:
    with transaction(session, {"bacs_files": taken}):
        batch = repository.get_batch(session, batch_id, for_update=True)
        if repository.live_bacs_file(session, batch_id) is not None:
            raise rule("bacs_file_exists", "File already made", "This batch's Bacs file is already made")
        if batch.status is BatchStatus.APPROVED:
            batch = hand_to_rails(session, actor, batch_id)
        if batch.status is not BatchStatus.SUBMITTED:
            raise rule("batch_not_approved", "Batch not approved", "Only an approved batch has a Bacs file")
        to_pay = [p for p in batch.payments if p.rail is Rail.BACS and p.status is PaymentStatus.CREATED]
        if not to_pay:
            raise rule("no_bacs_payments", "No Bacs payments", "This batch has no Bacs payments to send")
        check_payees(session, to_pay)  # handed over before a payee changed: the file would pay the old
        processing = bacs.processing_day(today)
        serial, file_number = repository.next_bacs_numbers(session, processing)
        try:
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
                file_number=file_number,
            )
        except ValueError as error:
            raise BacsFileProblem(
                f"The Bacs file could not be made: {error}. Nothing has been sent."
            ) from error
        item = BacsFile(
            id=uuid.uuid4(),
            batch_id=batch.id,
            serial=serial,
            file_number=file_number,
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
            {
                "serial": serial,
                "file_number": file_number,
                "processing_day": processing.isoformat(),
                "sha256": item.content_sha256,
                "payments": len(to_pay),
            },
        )
    return item


def record_bacs_file_submitted(session: Session, actor: Actor, batch_id: uuid.UUID) -> BacsFile:
    """The approver has submitted the batch's file to the bank: its Bacs payments are sent.

    Refused when there is no file, it was already recorded, or its processing day has come (the
    bank would refuse it: void it and make another)."""
    actor.require_role(StaffRole.APPROVER)
    today = today_in_london()
    with transaction(session):
        repository.get_batch(session, batch_id, for_update=True)
        item = repository.live_bacs_file(session, batch_id, for_update=True)
        if item is None:
            raise rule("no_bacs_file", "No Bacs file", "Make the batch's Bacs file first")
        if item.submitted_at is not None:
            raise rule(
                "bacs_file_submitted", "Already submitted", "This file is already recorded as submitted"
            )
        if today >= item.processing_day:
            raise rule(
                "bacs_file_too_late",
                "Processing day has come",
                "The file's processing day has come, so the bank would refuse it: void it and make another",
            )
        item.submitted_at, item.submitted_by_id = utcnow(), actor.staff_id
        batch = repository.batch_with_payments(session, batch_id)
        reference = f"BACS {item.created_on:%y%m%d}/{item.serial:06d}"
        sent = 0
        for payment in batch.payments:
            if payment.rail is Rail.BACS and payment.status is PaymentStatus.CREATED:
                mark_payment_sent(session, SYSTEM, payment, reference)
                sent += 1
        audit.record(
            session, "batch.bacs_file_submitted", batch, actor, {"serial": item.serial, "payments": sent}
        )
    return item


def void_bacs_file(session: Session, actor: Actor, batch_id: uuid.UUID, reason: str) -> BacsFile:
    """A file not yet submitted to the bank is set aside, saying why, so that another can be made."""
    actor.require_role(StaffRole.APPROVER)
    reason = required_reason(reason, "Give a reason", "Enter why the file is voided", longest=500)
    with transaction(session):
        batch = repository.get_batch(session, batch_id, for_update=True)
        item = repository.live_bacs_file(session, batch_id, for_update=True)
        if item is None:
            raise rule("no_bacs_file", "No Bacs file", "This batch has no Bacs file to void")
        if item.submitted_at is not None:
            raise rule(
                "bacs_file_submitted",
                "Already submitted",
                "A file submitted to the bank cannot be voided: its payments are on their way",
            )
        item.voided_at, item.voided_by_id, item.void_reason = utcnow(), actor.staff_id, reason[:500]
        audit.record(
            session, "batch.bacs_file_voided", batch, actor, {"serial": item.serial, "reason": reason}
        )
    return item
