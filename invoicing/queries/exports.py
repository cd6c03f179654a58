"""DWP's CSV exports, read a thousand rows at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from invoicing.models import (
    Invoice,
    Payment,
    PaymentBatch,
)

# --- exports -------------------------------------------------------------------------------------

EXPORTS = ("batches", "payments", "invoices")


def export(session: Session, kind: str) -> tuple[list[str], Iterator[list[Any]]]:
    """One of ``EXPORTS`` as a header and rows, read a thousand at a time."""
    header, query, row = _EXPORT[kind]
    return list(header), (row(item) for item in session.scalars(query).yield_per(1000))


_EXPORT: dict[str, tuple[tuple[str, ...], Select[Any], Any]] = {
    "batches": (
        ("batch_id", "status", "payment_date", "payments", "invoices", "total_pence", "content_hash"),
        select(PaymentBatch).order_by(PaymentBatch.built_at),
        lambda b: [
            b.id,
            b.status.value,
            b.payment_date,
            b.payment_count,
            b.invoice_count,
            b.total_pence,
            b.content_hash,
        ],
    ),
    "payments": (
        (
            "payment_id",
            "batch_id",
            "provider_id",
            "reference",
            "rail",
            "status",
            "amount_pence",
            "credit_pence",
            "rail_reference",
        ),
        select(Payment).order_by(Payment.created_at),
        lambda p: [
            p.id,
            p.batch_id,
            p.provider_id,
            p.reference,
            p.rail.value,
            p.status.value,
            p.amount_pence,
            p.credit_pence,
            p.rail_reference,
        ],
    ),
    "invoices": (
        (
            "invoice_id",
            "provider_id",
            "invoice_number",
            "status",
            "care_from",
            "care_to",
            "total_pence",
            "dwp_pence",
            "claimant_pence",
            "flags",
        ),
        select(Invoice).order_by(Invoice.created_at),
        lambda i: [
            i.id,
            i.provider_id,
            i.invoice_number,
            i.status.value,
            i.care_from,
            i.care_to,
            i.total_pence,
            i.dwp_pence,
            i.claimant_pence,
            " ".join(i.flags),
        ],
    ),
}
