"""The bulk writes of a day's batch and its reconciliation: rows, not objects. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
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
    Uuid,
    bindparam,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from config.database import among, copy_rows, insert_many
from config.errors import ConcurrentChange
from invoicing.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentStatus,
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


def _expire_loaded(session: Session, *models: type[Any]) -> None:
    """Objects of ``models`` already loaded are read afresh when next used (a bulk write changed
    their rows underneath them)."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, models):
            session.expire(loaded)
