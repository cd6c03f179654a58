"""Queries about invoices, batches and payments. Never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Row,
    Table,
    Text,
    Uuid,
    bindparam,
    cast,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, selectinload

from config.database import among, copy_rows, insert_many
from config.errors import ConcurrentChange, NotFound
from invoicing.models import (
    CAP_USING_STATES,
    BatchStatus,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
)

_NOT_COUNTING = (InvoiceStatus.CANCELLED, InvoiceStatus.REJECTED)


def get_invoice(session: Session, invoice_id: uuid.UUID, *, for_update: bool = False) -> Invoice:
    query = select(Invoice).where(Invoice.id == invoice_id)
    if for_update:
        query = query.with_for_update()
    invoice = session.scalars(query).one_or_none()
    if invoice is None:
        raise NotFound("No invoice with that id")
    return invoice


def overlapping_invoices(
    session: Session, child_id: uuid.UUID, provider_id: uuid.UUID, care_from: date, care_to: date
) -> list[Invoice]:
    """This provider's other live invoices for the same child whose care overlaps the period."""
    return list(
        session.scalars(
            select(Invoice).where(
                Invoice.child_id == child_id,
                Invoice.provider_id == provider_id,
                Invoice.status.not_in(_NOT_COUNTING),
                Invoice.care_from <= care_to,
                Invoice.care_to >= care_from,
            )
        )
    )


def cap_usage(
    session: Session, parent_id: uuid.UUID, ap_start: date, states: Iterable[InvoiceStatus] = CAP_USING_STATES
) -> tuple[int, set[uuid.UUID]]:
    """DWP pence already counted against the parent's cap in an AP, and the children it is for."""
    rows = session.execute(
        select(Invoice.child_id, func.sum(Invoice.dwp_pence))
        .where(Invoice.parent_id == parent_id, Invoice.ap_start == ap_start, Invoice.status.in_(list(states)))
        .group_by(Invoice.child_id)
    ).all()
    return sum(int(total or 0) for _, total in rows), {child_id for child_id, _ in rows}


def frozen_usage(
    session: Session, parent_ids: set[uuid.UUID]
) -> dict[tuple[uuid.UUID, date], tuple[int, set[uuid.UUID]]]:
    """For each (parent, AP): DWP pence frozen in batched or paid invoices, and their children."""
    usage: dict[tuple[uuid.UUID, date], tuple[int, set[uuid.UUID]]] = {}
    if not parent_ids:
        return usage
    rows = session.execute(
        select(Invoice.parent_id, Invoice.ap_start, Invoice.child_id, func.sum(Invoice.dwp_pence))
        .where(
            Invoice.parent_id.in_(parent_ids),
            Invoice.status.in_([InvoiceStatus.BATCHED, InvoiceStatus.PAID]),
        )
        .group_by(Invoice.parent_id, Invoice.ap_start, Invoice.child_id)
    )
    for parent_id, ap_start, child_id, total in rows:
        used, children = usage.get((parent_id, ap_start), (0, set()))
        usage[(parent_id, ap_start)] = (used + int(total or 0), children | {child_id})
    return usage


def provider_volume(
    session: Session, provider_id: uuid.UUID, since: datetime, split: datetime, until: datetime
) -> tuple[int, int]:
    """How many invoices a provider sent in ``[since, split)`` and in ``[split, until)``: one query."""
    earlier = func.count().filter(Invoice.created_at < split)
    later = func.count().filter(Invoice.created_at >= split)
    row = session.execute(
        select(earlier, later).where(
            Invoice.provider_id == provider_id, Invoice.created_at >= since, Invoice.created_at < until
        )
    ).one()
    return int(row[0]), int(row[1])


def invoices_in_state(session: Session, status: InvoiceStatus, limit: int | None = None) -> list[Invoice]:
    query = select(Invoice).where(Invoice.status == status).order_by(Invoice.created_at)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


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
    query = select(PaymentBatch).where(PaymentBatch.id == batch_id)
    if for_update:
        query = query.with_for_update()
    batch = session.scalars(query).one_or_none()
    if batch is None:
        raise NotFound("No payment batch with that id")
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
    query = select(Payment).where(Payment.id == payment_id)
    if for_update:
        query = query.with_for_update()
    payment = session.scalars(query).one_or_none()
    if payment is None:
        raise NotFound("No payment with that id")
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


def waiting_for_parent(session: Session, created_before: datetime) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.status == InvoiceStatus.AWAITING_CONFIRMATION, Invoice.created_at <= created_before
            )
            .order_by(Invoice.created_at)
            .with_for_update(skip_locked=True)
        )
    )


def outstanding_credit_notes(session: Session, provider_id: uuid.UUID) -> list[CreditNote]:
    return list(
        session.scalars(
            select(CreditNote)
            .where(CreditNote.provider_id == provider_id, CreditNote.payment_id.is_(None))
            .order_by(CreditNote.created_at, CreditNote.id)
            .with_for_update()
        )
    )


def credit_notes_of_payments(session: Session, payment_ids: list[uuid.UUID]) -> list[CreditNote]:
    return list(session.scalars(select(CreditNote).where(CreditNote.payment_id.in_(payment_ids))))


def credited_pence(session: Session, invoice_id: uuid.UUID) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(CreditNote.amount_pence), 0)).where(CreditNote.invoice_id == invoice_id)
    )
    return int(total or 0)


def credit_notes_for(session: Session, invoice_id: uuid.UUID) -> list[CreditNote]:
    return list(
        session.scalars(
            select(CreditNote).where(CreditNote.invoice_id == invoice_id).order_by(CreditNote.created_at)
        )
    )


@dataclass(frozen=True, slots=True)
class Batched:
    """One invoice as a batch takes it: the row it was read as and what the batch decided."""

    invoice_id: uuid.UUID
    version: int
    was: InvoiceStatus
    invoice_number: str
    provider_id: uuid.UUID
    payment_id: uuid.UUID
    ap_start: date
    ap_end: date
    dwp_pence: int
    claimant_pence: int


def write_batched(session: Session, batched: list[Batched], now: datetime) -> None:
    """Every invoice of a batch batched, with its frozen period and shares, and its allocation made:
    each row guarded by the version it was read at (the rows are also locked by the transaction).

    ``ConcurrentChange`` if any invoice moved meanwhile. Loaded invoices are expired, as their rows
    changed underneath them.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The decisions go in by COPY and every invoice and allocation is written by one statement
        # (executemany would send one per invoice; arrays as parameters cost a second to adapt).
        _BATCH_DECISIONS.create(connection)
        copy_rows(
            session,
            _BATCH_DECISIONS,
            _BATCHED_COLUMNS,
            ([getattr(item, name) for name in _BATCHED_COLUMNS] for item in batched),
        )
        written = connection.execute(_WRITE_BATCHED_POSTGRESQL, {"now": now}).rowcount
    else:
        written = connection.execute(
            _mark_batched_statement(now),
            [{f"b_{name}": getattr(item, name) for name in _BATCHED_COLUMNS} for item in batched],
        ).rowcount
        insert_many(
            session,
            PaymentAllocation,
            [
                {
                    "id": uuid.uuid4(),
                    "payment_id": item.payment_id,
                    "invoice_id": item.invoice_id,
                    "amount_pence": item.dwp_pence,
                    "live": True,
                }
                for item in batched
            ],
        )
    if written not in (-1, len(batched)):
        raise ConcurrentChange("Invoices changed while the batch was built: build it again")
    _expire_loaded(session, Invoice)


_BATCHED_COLUMNS = (
    "invoice_id",
    "version",
    "payment_id",
    "ap_start",
    "ap_end",
    "dwp_pence",
    "claimant_pence",
)
_BATCH_DECISIONS = Table(
    "batch_decisions",
    MetaData(),
    Column("invoice_id", Uuid()),
    Column("version", Integer()),
    Column("payment_id", Uuid()),
    Column("ap_start", Date()),
    Column("ap_end", Date()),
    Column("dwp_pence", Integer()),
    Column("claimant_pence", Integer()),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
_WRITE_BATCHED_POSTGRESQL = text(
    """
    WITH batched AS (
        UPDATE invoices AS i
        SET status = 'batched', ap_start = d.ap_start, ap_end = d.ap_end, dwp_pence = d.dwp_pence,
            claimant_pence = d.claimant_pence, version = i.version + 1, updated_at = :now
        FROM batch_decisions AS d
        WHERE i.id = d.invoice_id AND i.version = d.version
        RETURNING i.id
    )
    INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_pence, live)
    SELECT gen_random_uuid(), d.payment_id, d.invoice_id, d.dwp_pence, true
    FROM batch_decisions AS d JOIN batched AS b ON b.id = d.invoice_id
    """
)


def _mark_batched_statement(now: datetime) -> Any:
    return (
        update(Invoice)
        .where(Invoice.id == bindparam("b_invoice_id"), Invoice.version == bindparam("b_version"))
        .values(
            status=InvoiceStatus.BATCHED,
            ap_start=bindparam("b_ap_start"),
            ap_end=bindparam("b_ap_end"),
            dwp_pence=bindparam("b_dwp_pence"),
            claimant_pence=bindparam("b_claimant_pence"),
            version=Invoice.version + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


def lock_payments(
    session: Session, payment_ids: Sequence[uuid.UUID], status: PaymentStatus
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Those of ``payment_ids`` still in ``status``, locked (in id order, so two lockers never
    deadlock), as rows: id, batch, provider and amount."""
    return session.execute(
        select(Payment.id, Payment.batch_id, Payment.provider_id, Payment.amount_pence)
        .where(among(session, Payment.id, payment_ids), Payment.status == status)
        .order_by(Payment.id)
        .with_for_update()
    ).all()


def lock_live_invoices(session: Session, payment_ids: list[uuid.UUID]) -> Sequence[Row[*tuple[Any, ...]]]:
    """The invoices these payments pay (live allocations), locked, as rows: id, status, payment."""
    return session.execute(
        select(Invoice.id, Invoice.status, PaymentAllocation.payment_id)
        .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
        .where(among(session, PaymentAllocation.payment_id, payment_ids), PaymentAllocation.live)
        .order_by(Invoice.id)
        .with_for_update(of=Invoice)
    ).all()


def write_paid(session: Session, payment_ids: list[uuid.UUID], now: datetime) -> None:
    """These locked payments, and the invoices they pay, are paid: one UPDATE per table. Loaded
    payments and invoices are expired, as their rows changed underneath them."""
    session.execute(
        update(Payment)
        .where(among(session, Payment.id, payment_ids))
        .values(status=PaymentStatus.PAID, paid_at=now, version=Payment.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Invoice)
        .where(
            Invoice.id == PaymentAllocation.invoice_id,
            among(session, PaymentAllocation.payment_id, payment_ids),
            PaymentAllocation.live,
        )
        .values(status=InvoiceStatus.PAID, version=Invoice.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    _expire_loaded(session, Payment, Invoice)


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


def _expire_loaded(session: Session, *models: type[Any]) -> None:
    """Objects of ``models`` already loaded are read afresh when next used (a bulk write changed
    their rows underneath them)."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, models):
            session.expire(loaded)
