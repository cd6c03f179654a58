"""Queries about a nursery's saved drafts (``InvoiceDraft``) and the invoices they copy."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from config.database import fetch
from invoicing.models import Invoice, InvoiceDraft, InvoiceStatus

# Last month's invoices worth copying: not one the nursery withdrew or DWP turned down.
# Not copied: an invoice DWP will not pay, or one the parent disputes (its copy would repeat
# what the parent says is wrong).
NOT_COPIED = (InvoiceStatus.CANCELLED, InvoiceStatus.REJECTED, InvoiceStatus.DISPUTED)


def get_draft(
    session: Session, provider_id: uuid.UUID | None, draft_id: uuid.UUID, *, for_update: bool = False
) -> InvoiceDraft:
    """The provider's own draft; another provider's is not found."""
    draft: InvoiceDraft = fetch(
        session, InvoiceDraft, draft_id, "draft", for_update=for_update, owned_by={"provider_id": provider_id}
    )
    return draft


def list_drafts(session: Session, provider_id: uuid.UUID | None) -> list[InvoiceDraft]:
    """The provider's drafts, the most recently saved first."""
    return list(
        session.scalars(
            select(InvoiceDraft)
            .where(InvoiceDraft.provider_id == provider_id)
            .order_by(InvoiceDraft.updated_at.desc(), InvoiceDraft.id)
        )
    )


def invoices_with_care_starting(
    session: Session, provider_id: uuid.UUID, start: date, end: date
) -> list[Invoice]:
    """The provider's invoices whose care starts in ``start``..``end`` (not cancelled or rejected)
    and that no draft was copied from yet, with their lines, oldest care first."""
    copied = select(InvoiceDraft.copied_from_id).where(
        InvoiceDraft.provider_id == provider_id, InvoiceDraft.copied_from_id.is_not(None)
    )
    return list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.provider_id == provider_id,
                Invoice.care_from >= start,
                Invoice.care_from <= end,
                Invoice.status.not_in(NOT_COPIED),
                Invoice.id.not_in(copied),
            )
            .options(selectinload(Invoice.lines))
            .order_by(Invoice.care_from, Invoice.invoice_number)
        )
    )


def care_already_invoiced(session: Session, provider_id: uuid.UUID, start: date, end: date) -> set[tuple]:
    """``(child_id, care_from)`` of the provider's invoices (not cancelled or rejected) whose care
    starts in ``start``..``end``: a copy of last month's would be a second invoice for the care."""
    rows = session.execute(
        select(Invoice.child_id, Invoice.care_from).where(
            Invoice.provider_id == provider_id,
            Invoice.care_from >= start,
            Invoice.care_from <= end,
            Invoice.status.not_in(NOT_COPIED),
        )
    )
    return {(child_id, care_from) for child_id, care_from in rows}


def care_copied_before(session: Session, provider_id: uuid.UUID) -> set[tuple]:
    """``(child_id, care_from)`` of the invoices the provider's drafts were copied from: the care a
    month on is drafted already, whichever of that child's invoices the draft came from."""
    rows = session.execute(
        select(Invoice.child_id, Invoice.care_from)
        .join(InvoiceDraft, InvoiceDraft.copied_from_id == Invoice.id)
        .where(InvoiceDraft.provider_id == provider_id)
    )
    return {(child_id, care_from) for child_id, care_from in rows}
