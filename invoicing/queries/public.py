"""What nurseries and parents see of invoicing: their own records only (another's are not found),
and of DWP's work only what may leave DWP."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimants.models import Child
from config import audit
from config.database import fetch
from config.pagination import page
from invoicing.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
)

# --- one record, only for whoever may see it ---------------------------------------------------


def invoice_of_provider(session: Session, provider_id: uuid.UUID | None, invoice_id: uuid.UUID) -> Invoice:
    invoice: Invoice = fetch(session, Invoice, invoice_id, "invoice", owned_by={"provider_id": provider_id})
    return invoice


def invoice_of_parent(session: Session, parent_id: uuid.UUID, invoice_id: uuid.UUID) -> Invoice:
    invoice: Invoice = fetch(session, Invoice, invoice_id, "invoice", owned_by={"parent_id": parent_id})
    return invoice


def payment_of_provider(session: Session, provider_id: uuid.UUID | None, payment_id: uuid.UUID) -> Payment:
    payment: Payment = fetch(session, Payment, payment_id, "payment", owned_by={"provider_id": provider_id})
    return payment


def child_of(session: Session, invoice: Invoice) -> Child:
    return session.get_one(Child, invoice.child_id)


def child_names(session: Session, child_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of the children on one page of invoices (at most a page's worth, however large the
    nursery)."""
    if not child_ids:
        return {}
    rows = session.execute(select(Child.id, Child.first_name, Child.last_name).where(Child.id.in_(child_ids)))
    return {row.id: f"{row.first_name} {row.last_name}" for row in rows}


def children_by_id(session: Session, child_ids: set[uuid.UUID]) -> dict[uuid.UUID, Child]:
    if not child_ids:
        return {}
    return {child.id: child for child in session.scalars(select(Child).where(Child.id.in_(child_ids)))}


# --- an invoice's timeline, as the nursery and the parent may see it ----------------------------

# What of each event's data may leave DWP: the parent's and the nursery's own words, amounts and
# ids, and a caseworker's reason code (its words, never the note). Events not named here (reminders,
# DWP's internal steps) are not shown outside DWP at all.
PUBLIC_DATA: dict[str, tuple[str, ...]] = {
    "invoice.submitted": ("invoice_number", "total_pence", "eligible_pence", "dwp_pence", "source"),
    "invoice.awaiting_confirmation": (),
    "invoice.confirmed": (),
    "invoice.disputed": ("reason",),
    "invoice.approved": ("reason_code",),
    "invoice.on_hold": ("reason_code",),
    "invoice.rejected": ("reason_code",),
    "invoice.escalated": ("days_waiting",),
    "invoice.batched": ("payment_id", "dwp_pence", "claimant_pence"),
    "invoice.paid": ("payment_id",),
    "invoice.payment_failed": ("payment_id",),
    "invoice.nothing_to_pay": ("dwp_pence", "claimant_pence"),
    "invoice.cancelled": ("reason",),
    "invoice.credit_note_issued": ("credit_note_id", "amount_pence", "reason"),
    "invoice.credit_note_recovered": ("credit_note_id", "amount_pence", "payment_id"),
}


@dataclass(frozen=True)
class PublicEvent:
    id: uuid.UUID
    action: str
    occurred_at: Any
    data: dict[str, Any]
    # The parent who acted (on a joint claim, either partner), by their id and name; None for
    # everyone else, whose names do not leave DWP or the nursery.
    parent_id: str | None = None
    parent_name: str | None = None


def public_timeline(session: Session, invoice: Invoice) -> list[PublicEvent]:
    """The invoice's events, oldest first, with only what may leave DWP (``PUBLIC_DATA``)."""
    return [
        PublicEvent(
            event.id,
            event.action,
            event.occurred_at,
            {key: event.data[key] for key in PUBLIC_DATA[event.action] if key in event.data},
            event.actor_id if event.actor_kind == "parent" else None,
            event.actor_label if event.actor_kind == "parent" else None,
        )
        for event in audit.events_for(session, "invoices", invoice.id)
        if event.action in PUBLIC_DATA
    ]


# --- the nursery's lists -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFilter:
    """The invoice list's filters: a state, part of a child's name, a month of care."""

    status: InvoiceStatus | None = None
    name: str = ""
    month: date | None = None  # the first day of the month


def provider_invoices(
    session: Session,
    provider_id: uuid.UUID | None,
    wanted: InvoiceFilter,
    limit: int,
    cursor: str | None,
    *,
    child_id: uuid.UUID | None = None,
) -> tuple[Sequence[Invoice], str | None]:
    """A page of the provider's invoices, newest first (``MalformedRequest`` for a bad cursor)."""
    query = provider_invoice_query(provider_id, wanted, child_id=child_id)
    return page(session, query, Invoice.created_at, Invoice.id, limit, cursor)


def provider_invoice_query(
    provider_id: uuid.UUID | None, wanted: InvoiceFilter, *, child_id: uuid.UUID | None = None
) -> Any:
    """The provider's invoices that ``wanted`` picks (the list, its totals and its export alike)."""
    query = select(Invoice).where(Invoice.provider_id == provider_id)
    if wanted.status is not None:
        query = query.where(Invoice.status == wanted.status)
    if child_id is not None:
        query = query.where(Invoice.child_id == child_id)
    if wanted.name:
        full_name = func.lower(Child.first_name + " " + Child.last_name)
        query = query.join(Child, Child.id == Invoice.child_id)
        query = query.where(full_name.contains(wanted.name.lower(), autoescape=True))
    if wanted.month is not None:
        start = wanted.month
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        query = query.where(Invoice.care_from < end, Invoice.care_to >= start)
    return query


def provider_payments(
    session: Session, provider_id: uuid.UUID | None, limit: int, cursor: str | None
) -> tuple[Sequence[Payment], str | None]:
    query = select(Payment).where(Payment.provider_id == provider_id)
    return page(session, query, Payment.created_at, Payment.id, limit, cursor)


def remittance_lines(session: Session, payment: Payment) -> list[tuple[PaymentAllocation, Invoice, Child]]:
    """Each invoice a payment pays, with how much of it and for which child."""
    rows = session.execute(
        select(PaymentAllocation, Invoice, Child)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .join(Child, Child.id == Invoice.child_id)
        .where(PaymentAllocation.payment_id == payment.id)
        .order_by(Invoice.invoice_number)
    )
    return [(allocation, invoice, child) for allocation, invoice, child in rows]


@dataclass(frozen=True)
class Remittance:
    """A payment as the provider sees it: which invoices it pays, and how much of each."""

    id: uuid.UUID
    batch_id: uuid.UUID
    amount_pence: int
    status: Any
    rail: Any
    reference: str
    sent_at: Any
    paid_at: Any
    credit_pence: int
    allocations: list[dict[str, Any]]


def remittances(session: Session, payments: Sequence[Payment]) -> list[Remittance]:
    """Allocations and invoice numbers for a page of payments in one more query, not one per payment."""
    by_payment: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if payments:
        rows = session.execute(
            select(
                PaymentAllocation.payment_id,
                PaymentAllocation.invoice_id,
                Invoice.invoice_number,
                PaymentAllocation.amount_pence,
            )
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(PaymentAllocation.payment_id.in_([p.id for p in payments]))
            .order_by(Invoice.invoice_number)
        )
        for payment_id, invoice_id, number, amount in rows:
            by_payment.setdefault(payment_id, []).append(
                {"invoice_id": invoice_id, "invoice_number": number, "amount_pence": amount}
            )
    return [
        Remittance(
            p.id,
            p.batch_id,
            p.amount_pence,
            p.status,
            p.rail,
            p.reference,
            p.sent_at,
            p.paid_at,
            p.credit_pence,
            by_payment.get(p.id, []),
        )
        for p in payments
    ]


# --- the parent's lists ------------------------------------------------------------------------


def parent_invoices(session: Session, parent_id: uuid.UUID, limit: int = 100) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.parent_id == parent_id)
            .order_by(Invoice.created_at.desc())
            .limit(limit)
        )
    )


def waiting_for_parent_count(session: Session, parent_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Invoice)
            .where(Invoice.parent_id == parent_id, Invoice.status == InvoiceStatus.AWAITING_CONFIRMATION)
        )
        or 0
    )
