"""Queries about invoices, their credit notes and spreadsheet uploads. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from claimants.models import Parent
from config.database import fetch
from invoicing.models import (
    CAP_USING_STATES,
    FROZEN_STATES,
    CreditNote,
    Invoice,
    InvoiceStatus,
    InvoiceUpload,
    UploadStatus,
)

_NOT_COUNTING = (InvoiceStatus.CANCELLED, InvoiceStatus.REJECTED)


def get_invoice(
    session: Session,
    invoice_id: uuid.UUID,
    *,
    for_update: bool = False,
    owned_by: Mapping[str, uuid.UUID | None] | None = None,
) -> Invoice:
    """The invoice (``owned_by``: only if it is this provider's or parent's; else not found)."""
    invoice: Invoice = fetch(
        session, Invoice, invoice_id, "invoice", for_update=for_update, owned_by=owned_by
    )
    return invoice


def invoices_by_id(session: Session, ids: set[uuid.UUID]) -> list[Invoice]:
    return list(session.scalars(select(Invoice).where(Invoice.id.in_(ids)).order_by(Invoice.id)))


def parent_of(session: Session, invoice: Invoice) -> Parent:
    return session.get_one(Parent, invoice.parent_id)


def claim_starts(session: Session, parent_ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """When each parent's Universal Credit claim began (their assessment periods follow it)."""
    rows = session.execute(select(Parent.id, Parent.claim_start_date).where(Parent.id.in_(parent_ids)))
    return {row.id: row.claim_start_date for row in rows}


def claim_references(session: Session, parent_ids: set[uuid.UUID]) -> dict[uuid.UUID, str | None]:
    """Each parent's Universal Credit claim reference (the claim system's key to its facts)."""
    rows = session.execute(select(Parent.id, Parent.uc_claim_reference).where(Parent.id.in_(parent_ids)))
    return {row.id: row.uc_claim_reference for row in rows}


def mark_award_limited(session: Session, batched: list[uuid.UUID], limited: set[uuid.UUID]) -> None:
    """Whether the award's childcare element lowered each batched invoice's DWP share."""
    for value, ids in (
        (True, [i for i in batched if i in limited]),
        (False, [i for i in batched if i not in limited]),
    ):
        for start in range(0, len(ids), 500):
            session.execute(
                update(Invoice)
                .where(Invoice.id.in_(ids[start : start + 500]), Invoice.award_limited.is_not(value))
                .values(award_limited=value)
                .execution_options(synchronize_session=False)
            )


def used_invoice_numbers(session: Session, provider_id: uuid.UUID, numbers: set[str]) -> set[str]:
    """Which of ``numbers`` the provider has already used (500 at a time)."""
    used: set[str] = set()
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 500):
        used.update(
            session.scalars(
                select(Invoice.invoice_number).where(
                    Invoice.provider_id == provider_id,
                    Invoice.invoice_number.in_(ordered[start : start + 500]),
                )
            )
        )
    return used


def find_upload(session: Session, upload_id: uuid.UUID) -> InvoiceUpload | None:
    return session.get(InvoiceUpload, upload_id)


def uploads_submitting_since(session: Session, heartbeat_before: datetime) -> list[InvoiceUpload]:
    """Uploads still being submitted whose worker last reported before ``heartbeat_before``."""
    return list(
        session.scalars(
            select(InvoiceUpload).where(
                InvoiceUpload.status == UploadStatus.SUBMITTING,
                InvoiceUpload.heartbeat_at < heartbeat_before,
            )
        )
    )


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
            Invoice.status.in_(FROZEN_STATES),
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
