"""Queries about payment batches, payments and what the rails need of them. Never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    Row,
    Text,
    cast,
    func,
    select,
)
from sqlalchemy.orm import Session, selectinload

from config.database import fetch
from config.errors import NotFound
from invoicing.models import (
    BacsFile,
    BacsReturnsImport,
    BatchStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
    ReconciliationBreak,
    ReturnsImportStatus,
    StripeEvent,
)


def batch_candidates(session: Session) -> Sequence[Row[*tuple[Any, ...]]]:
    """Invoices due for payment (approved, or failed and due again) as plain rows, in the order the
    cap is shared out, locked for this transaction; ones another transaction holds are skipped.

    Rows, not objects: a day's batch can hold 100,000 invoices and the build needs a few columns of
    each (and read through Core: the ORM's loading costs more than the query)."""
    return (
        session.connection()
        .execute(
            select(
                Invoice.id,
                Invoice.version,
                Invoice.status,
                Invoice.invoice_number,
                Invoice.provider_id,
                Invoice.parent_id,
                Invoice.child_id,
                Invoice.care_from,
                Invoice.care_to,
                Invoice.eligible_pence,
                Invoice.total_pence,
                # JSON text, or NULL for no flags (most invoices): decoding 100,000 empty lists cost a second.
                func.nullif(cast(Invoice.flags, Text), "[]").label("flags_json"),
            )
            .where(Invoice.status.in_([InvoiceStatus.APPROVED, InvoiceStatus.PAYMENT_FAILED]))
            .order_by(Invoice.parent_id, Invoice.created_at, Invoice.id)
            .with_for_update(skip_locked=True)
        )
        .all()
    )


def get_batch(session: Session, batch_id: uuid.UUID, *, for_update: bool = False) -> PaymentBatch:
    batch: PaymentBatch = fetch(session, PaymentBatch, batch_id, "payment batch", for_update=for_update)
    return batch


def batch_with_payments(session: Session, batch_id: uuid.UUID) -> PaymentBatch:
    batch = session.scalars(
        select(PaymentBatch).where(PaymentBatch.id == batch_id).options(selectinload(PaymentBatch.payments))
    ).one_or_none()
    if batch is None:
        raise NotFound("No payment batch with that id")
    return batch


def live_allocations(session: Session, batch_id: uuid.UUID) -> dict[uuid.UUID, list[tuple[uuid.UUID, int]]]:
    """Each payment's live allocations in a batch as ``(invoice_id, amount_pence)``: plain rows, as a
    batch can hold 100,000 invoices and only these two values of each go into its hash."""
    rows = session.execute(
        select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id, PaymentAllocation.amount_pence)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(Payment.batch_id == batch_id, PaymentAllocation.live)
    )
    found: dict[uuid.UUID, list[tuple[uuid.UUID, int]]] = defaultdict(list)
    for payment_id, invoice_id, amount_pence in rows:
        found[payment_id].append((invoice_id, amount_pence))
    return found


def get_payment(session: Session, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment:
    payment: Payment = fetch(session, Payment, payment_id, "payment", for_update=for_update)
    return payment


def live_invoices_of_payments(
    session: Session, payment_ids: Iterable[uuid.UUID]
) -> list[tuple[PaymentAllocation, Invoice]]:
    """The live allocations of these payments with their invoices, invoices locked."""
    rows = session.execute(
        select(PaymentAllocation, Invoice)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .where(PaymentAllocation.payment_id.in_(list(payment_ids)), PaymentAllocation.live)
        .order_by(Invoice.id)
        .with_for_update(of=Invoice)
    )
    return [(allocation, invoice) for allocation, invoice in rows]


def work_counts(session: Session) -> dict[str, int]:
    """What waits for DWP staff: review queue, invoices to batch, batches to approve."""
    by_status = dict(
        session.execute(
            select(Invoice.status, func.count())
            .where(
                Invoice.status.in_([InvoiceStatus.ON_HOLD, InvoiceStatus.DISPUTED, InvoiceStatus.APPROVED])
            )
            .group_by(Invoice.status)
        ).all()
    )
    awaiting = session.scalar(
        select(func.count()).select_from(PaymentBatch).where(PaymentBatch.status == "awaiting_approval")
    )
    return {
        "review": by_status.get(InvoiceStatus.ON_HOLD, 0) + by_status.get(InvoiceStatus.DISPUTED, 0),
        "approved": by_status.get(InvoiceStatus.APPROVED, 0),
        "awaiting_approval": int(awaiting or 0),
    }


def payment_states(session: Session, batch_ids: set[uuid.UUID]) -> dict[uuid.UUID, set[PaymentStatus]]:
    """Each batch's payments' states."""
    states: dict[uuid.UUID, set[PaymentStatus]] = defaultdict(set)
    for batch_id, status in session.execute(
        select(Payment.batch_id, Payment.status).where(Payment.batch_id.in_(batch_ids)).distinct()
    ):
        states[batch_id].add(status)
    return states


def submitted_batches(session: Session, batch_ids: set[uuid.UUID]) -> list[PaymentBatch]:
    return list(
        session.scalars(
            select(PaymentBatch)
            .where(PaymentBatch.id.in_(batch_ids), PaymentBatch.status == BatchStatus.SUBMITTED)
            .order_by(PaymentBatch.id)
            .with_for_update()
        )
    )


IN_LIST_SIZE = 10_000  # a statement takes at most 65,535 parameters


def invoice_numbers_of_payments(session: Session, payment_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """Each payment's invoice numbers, in order (what a rail's order names)."""
    numbers: dict[uuid.UUID, list[str]] = defaultdict(list)
    for start in range(0, len(payment_ids), IN_LIST_SIZE):
        rows = session.execute(
            select(PaymentAllocation.payment_id, Invoice.invoice_number)
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(PaymentAllocation.payment_id.in_(payment_ids[start : start + IN_LIST_SIZE]))
            .order_by(Invoice.invoice_number)
        )
        for payment_id, number in rows:
            numbers[payment_id].append(number)
    return numbers


def approved_batches_due(session: Session, today: date) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(PaymentBatch.id).where(
                PaymentBatch.status == BatchStatus.APPROVED, PaymentBatch.payment_date <= today
            )
        )
    )


def stripe_payments_to_send(session: Session) -> list[uuid.UUID]:
    """Stripe payments of submitted batches not yet sent, oldest first."""
    return list(
        session.scalars(
            select(Payment.id)
            .join(PaymentBatch, PaymentBatch.id == Payment.batch_id)
            .where(
                PaymentBatch.status == BatchStatus.SUBMITTED,
                Payment.status == PaymentStatus.CREATED,
                Payment.rail == Rail.STRIPE,
            )
            .order_by(Payment.created_at, Payment.id)
        )
    )


def unknown_stripe_payments(session: Session) -> list[Payment]:
    return list(
        session.scalars(
            select(Payment).where(Payment.status == PaymentStatus.UNKNOWN, Payment.rail == Rail.STRIPE)
        )
    )


def sent_stripe_orders(session: Session) -> Sequence[Row[*tuple[Any, ...]]]:
    """Sent Stripe payments as rows in the shape of a rail order (id, batch, amount, reference,
    account): a day can leave 100,000 to reconcile."""
    return session.execute(
        select(
            Payment.id,
            Payment.batch_id,
            Payment.amount_pence,
            Payment.reference,
            Payment.destination_stripe_account,
        ).where(Payment.status == PaymentStatus.SENT, Payment.rail == Rail.STRIPE)
    ).all()


def sent_bacs_payments(session: Session) -> Sequence[Row[*tuple[Any, ...]]]:
    """Sent Bacs payments with the processing day of the file submitted to the bank."""
    return session.execute(
        select(Payment.id, BacsFile.processing_day)
        .join(BacsFile, BacsFile.batch_id == Payment.batch_id)
        .where(
            Payment.status == PaymentStatus.SENT,
            Payment.rail == Rail.BACS,
            BacsFile.voided_at.is_(None),
            BacsFile.submitted_at.is_not(None),
        )
    ).all()


def payment_by_reference(session: Session, reference: str) -> Payment | None:
    return session.scalars(select(Payment).where(Payment.reference == reference)).one_or_none()


def resolved_break_records(session: Session, payment_id: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    """The rail's records (``actual``) seen by this payment's resolved breaks of this kind."""
    return list(
        session.scalars(
            select(ReconciliationBreak.actual).where(
                ReconciliationBreak.payment_id == payment_id,
                ReconciliationBreak.kind == kind,
                ReconciliationBreak.resolved_at.is_not(None),
            )
        )
    )


def has_open_break(session: Session, payment_id: uuid.UUID, kind: str) -> bool:
    return (
        session.scalars(
            select(ReconciliationBreak.id).where(
                ReconciliationBreak.payment_id == payment_id,
                ReconciliationBreak.kind == kind,
                ReconciliationBreak.resolved_at.is_(None),
            )
        ).first()
        is not None
    )


def other_open_breaks(session: Session, item: ReconciliationBreak) -> list[ReconciliationBreak]:
    """The payment's other open breaks (locked): an outcome decides the payment, so all of them."""
    return list(
        session.scalars(
            select(ReconciliationBreak)
            .where(
                ReconciliationBreak.payment_id == item.payment_id,
                ReconciliationBreak.id != item.id,
                ReconciliationBreak.resolved_at.is_(None),
            )
            .order_by(ReconciliationBreak.opened_at)
            .with_for_update()
        )
    )


def get_break(session: Session, break_id: uuid.UUID, *, for_update: bool = False) -> ReconciliationBreak:
    item: ReconciliationBreak = fetch(
        session, ReconciliationBreak, break_id, "reconciliation break", for_update=for_update
    )
    return item


def live_bacs_file(session: Session, batch_id: uuid.UUID, *, for_update: bool = False) -> BacsFile | None:
    """The batch's Bacs file that is not voided, if it has one."""
    query = select(BacsFile).where(BacsFile.batch_id == batch_id, BacsFile.voided_at.is_(None))
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def next_bacs_numbers(session: Session, processing: date) -> tuple[int, int]:
    """The next VOL1 serial (one more than any file's) and the next UHL1 file number for files
    processed on ``processing``. Two makers at once are stopped by the unique constraints."""
    serial = session.scalar(select(func.max(BacsFile.serial))) or 0
    number = session.scalar(
        select(func.max(BacsFile.file_number)).where(BacsFile.processing_day == processing)
    )
    return int(serial) % 999_999 + 1, int(number or 0) + 1


def stripe_event_recorded(session: Session, event_id: str) -> bool:
    return session.scalars(select(StripeEvent.id).where(StripeEvent.event_id == event_id)).first() is not None


def sent_by_bacs(session: Session, reference: str) -> tuple[Payment, date] | None:
    """The Bacs payment with this reference, sent in a file submitted to the bank, and that file's
    processing day; ``None`` if there is no such payment."""
    row = session.execute(
        select(Payment, BacsFile.processing_day)
        .join(BacsFile, BacsFile.batch_id == Payment.batch_id)
        .where(
            Payment.reference == reference,
            Payment.rail == Rail.BACS,
            BacsFile.submitted_at.is_not(None),
            BacsFile.voided_at.is_(None),
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


def pending_returns_imports(session: Session) -> list[BacsReturnsImport]:
    return list(
        session.scalars(
            select(BacsReturnsImport)
            .where(BacsReturnsImport.status == ReturnsImportStatus.PENDING)
            .order_by(BacsReturnsImport.imported_at)
        )
    )


def get_returns_import(
    session: Session, import_id: uuid.UUID, *, for_update: bool = False
) -> BacsReturnsImport:
    found: BacsReturnsImport = fetch(
        session, BacsReturnsImport, import_id, "returns import", for_update=for_update
    )
    return found
