"""What DWP staff's invoicing pages show: the review queue, batches, breaks and spend."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, aliased

from claimants.models import Child
from config.database import fetch, utcnow
from config.errors import NotFound
from config.pagination import page
from invoicing.models import (
    REVIEW_PREDICATE,
    BacsFile,
    BacsReturnsImport,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    ReconciliationBreak,
    ReturnsImportStatus,
)
from invoicing.queries.public import child_of
from providers import repository as providers_repository
from providers.models import Payee, Provider
from staff.models import StaffUser

# --- DWP's pages -------------------------------------------------------------------------------


def review_queue(session: Session, limit: int, cursor: str | None) -> tuple[Sequence[Invoice], str | None]:
    """Flagged and disputed invoices, oldest change first. The queue's own partial index answers
    this: its predicate, as literal SQL, is the index's."""
    waiting = select(Invoice).where(text(REVIEW_PREDICATE))
    return page(session, waiting, Invoice.updated_at, Invoice.id, limit, cursor, oldest_first=True)


def escalated_invoices(session: Session, limit: int = 100) -> list[Invoice]:
    """Invoices the parent has left unconfirmed past the escalation, the longest waiting first."""
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.status == InvoiceStatus.AWAITING_CONFIRMATION, Invoice.escalated_at.is_not(None))
            .order_by(Invoice.created_at)
            .limit(limit)
        )
    )


def invoice_for_staff(session: Session, invoice_id: uuid.UUID) -> tuple[Invoice, Provider, Child]:
    invoice: Invoice = fetch(session, Invoice, invoice_id, "invoice")
    return invoice, session.get_one(Provider, invoice.provider_id), child_of(session, invoice)


def recent_batches(session: Session, limit: int = 100) -> list[PaymentBatch]:
    return list(session.scalars(select(PaymentBatch).order_by(PaymentBatch.built_at.desc()).limit(limit)))


def batch_for_staff(session: Session, batch_id: uuid.UUID) -> tuple[PaymentBatch, BacsFile | None]:
    batch: PaymentBatch = fetch(session, PaymentBatch, batch_id, "payment batch")
    made = session.scalars(
        select(BacsFile).where(BacsFile.batch_id == batch_id, BacsFile.voided_at.is_(None))
    ).one_or_none()
    return batch, made


def bacs_file_to_download(session: Session, batch_id: uuid.UUID) -> BacsFile:
    """The batch's file as it was made (not a voided one), or not found."""
    _batch, made = batch_for_staff(session, batch_id)
    if made is None:
        raise NotFound("This batch has no Bacs file yet")
    return made


def open_breaks(
    session: Session,
) -> tuple[list[tuple[ReconciliationBreak, Payment, str | None]], list[Payment]]:
    """Breaks still open, oldest first, with their payments and who proposed an outcome (if anyone);
    and payments no rail has answered for."""
    rows = session.execute(
        select(ReconciliationBreak, Payment, StaffUser.name)
        .join(Payment, Payment.id == ReconciliationBreak.payment_id)
        .outerjoin(StaffUser, StaffUser.id == ReconciliationBreak.proposed_by_id)
        .where(ReconciliationBreak.resolved_at.is_(None))
        .order_by(ReconciliationBreak.opened_at)
    )
    unknown = list(session.scalars(select(Payment).where(Payment.status == PaymentStatus.UNKNOWN)))
    return [(item, payment, proposer) for item, payment, proposer in rows], unknown


def approved_but_not_payable(session: Session) -> list[tuple[str, int]]:
    """Providers with approved invoices that no batch can pay yet (not verified, or new payment
    details on hold), with how many invoices wait: what "nothing to pay" should explain."""
    waiting = dict(
        session.execute(
            select(Invoice.provider_id, func.count())
            .where(Invoice.status.in_([InvoiceStatus.APPROVED, InvoiceStatus.PAYMENT_FAILED]))
            .group_by(Invoice.provider_id)
        ).all()
    )
    payable = providers_repository.payable_provider_ids(session, set(waiting), utcnow())
    names = dict(
        session.execute(
            select(Provider.id, Provider.name).where(Provider.id.in_(set(waiting) - payable))
        ).all()
    )
    return sorted((names[pid], int(count)) for pid, count in waiting.items() if pid in names)


def returns_waiting(session: Session) -> list[tuple[BacsReturnsImport, str]]:
    """Bacs returns files waiting for a second finance officer, oldest first, with their importer."""
    rows = session.execute(
        select(BacsReturnsImport, StaffUser.name)
        .join(StaffUser, StaffUser.id == BacsReturnsImport.imported_by_id)
        .where(BacsReturnsImport.status == ReturnsImportStatus.PENDING)
        .order_by(BacsReturnsImport.imported_at)
    )
    return [(item, name) for item, name in rows]


RECENT_PAYEE_CHANGE = timedelta(days=90)


@dataclass(frozen=True)
class ReviewLine:
    """One payment as its approver must see it before approving the batch."""

    payment: Payment
    provider: Provider
    invoices: int
    payee_changed_recently: bool
    returned_before: list[tuple[str, datetime | None]]  # (invoice number, returned on)
    award_limited: int = 0  # its invoices whose share the award's childcare element lowered


@dataclass(frozen=True)
class BatchReview:
    lines: list[ReviewLine]
    builder: str
    providers: int


def batch_review(session: Session, batch: PaymentBatch) -> BatchReview:
    """Each payment with its provider, destination, amount and invoices; whether its payee changed
    in the last 90 days; which of its invoices were paid before and returned; who built the batch."""
    payments = list(batch.payments)
    provider_ids = {p.provider_id for p in payments}
    providers = {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(provider_ids)))}
    counts = dict(
        session.execute(
            select(PaymentAllocation.payment_id, func.count())
            # Every invoice it was built to pay: a failed payment's are no longer live, but were its.
            .where(PaymentAllocation.payment_id.in_([p.id for p in payments]))
            .group_by(PaymentAllocation.payment_id)
        ).all()
    )
    changed = set(
        session.scalars(
            select(Payee.provider_id).where(
                Payee.provider_id.in_(provider_ids),
                Payee.created_at >= utcnow() - RECENT_PAYEE_CHANGE,
                Payee.requested_by_kind != "registration",
            )
        )
    )
    returned = returned_before(session, [p.id for p in payments])
    limited = dict(
        session.execute(
            select(PaymentAllocation.payment_id, func.count())
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(PaymentAllocation.payment_id.in_(list(counts)), Invoice.award_limited.is_(True))
            .group_by(PaymentAllocation.payment_id)
        ).all()
    )
    builder = session.get(StaffUser, batch.built_by_id) if batch.built_by_id else None
    return BatchReview(
        [
            ReviewLine(
                p,
                providers[p.provider_id],
                int(counts.get(p.id, 0)),
                p.provider_id in changed,
                returned.get(p.id, []),
                int(limited.get(p.id, 0)),
            )
            for p in sorted(payments, key=lambda p: providers[p.provider_id].name)
        ],
        builder.name if builder else "The daily payment run",
        len(provider_ids),
    )


def returned_before(
    session: Session, payment_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, datetime | None]]]:
    """For each of these payments, its invoices an earlier payment paid and the bank returned."""
    if not payment_ids:
        return {}
    earlier = aliased(PaymentAllocation)
    returned_payment = aliased(Payment)
    rows = session.execute(
        select(PaymentAllocation.payment_id, Invoice.invoice_number, returned_payment.failed_at)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .join(earlier, (earlier.invoice_id == PaymentAllocation.invoice_id) & earlier.live.is_(False))
        .join(returned_payment, returned_payment.id == earlier.payment_id)
        .where(
            PaymentAllocation.payment_id.in_(payment_ids),
            returned_payment.id != PaymentAllocation.payment_id,  # an earlier payment, not this one
            returned_payment.status == PaymentStatus.RETURNED,
        )
        .order_by(Invoice.invoice_number)
    )
    found: dict[uuid.UUID, list[tuple[str, datetime | None]]] = {}
    for payment_id, number, when in rows:
        found.setdefault(payment_id, []).append((number, when))
    return found


def invoice_returned_on(session: Session, invoice_id: uuid.UUID) -> datetime | None:
    """When the bank returned a payment of this invoice after it was paid, if it ever did."""
    return session.scalar(
        select(func.max(Payment.failed_at))
        .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .where(PaymentAllocation.invoice_id == invoice_id, Payment.status == PaymentStatus.RETURNED)
    )


def payment_for_staff(session: Session, payment_id: uuid.UUID) -> tuple[Payment, Provider, list[Invoice]]:
    """A payment with its provider and the invoices it pays."""
    payment: Payment = fetch(session, Payment, payment_id, "payment")
    invoices = list(
        session.scalars(
            select(Invoice)
            .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
            .where(PaymentAllocation.payment_id == payment.id)
            .order_by(Invoice.invoice_number)
        )
    )
    return payment, session.get_one(Provider, payment.provider_id), invoices
