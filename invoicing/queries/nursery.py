"""What the nursery's home page and invoice list add up: what needs doing now, what was paid this
month, and the totals and export of a filtered list. Only the provider's own records."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from claimants import repository as claimants_repository
from claimants.models import Child
from invoicing.models import WITHDRAWN, Invoice, InvoiceDraft, InvoiceStatus, Payment, PaymentStatus
from invoicing.queries.public import InvoiceFilter, provider_invoice_query

LONDON = ZoneInfo("Europe/London")
EXPORT_LIMIT = 50_000  # rows: more than any nursery sends in years


@dataclass(frozen=True)
class Dashboard:
    """The counts on the nursery's home page (each links to the list it counts)."""

    waiting_for_parents: int
    disputed: int
    on_hold: dict[str | None, int]  # by the caseworker's reason code (None: DWP's own checks)
    payment_failed: int
    consents_waiting: int
    consents_ending: int
    consents_ended: int
    drafts: int
    paid_this_month_pence: int
    payments_this_month: int
    month: date

    @property
    def on_hold_total(self) -> int:
        return sum(self.on_hold.values())

    @property
    def nothing_to_do(self) -> bool:
        return not any(
            (
                self.waiting_for_parents,
                self.disputed,
                self.on_hold_total,
                self.payment_failed,
                self.consents_waiting,
                self.consents_ending,
                self.consents_ended,
            )
        )


def _month_start(now: datetime) -> tuple[date, datetime]:
    """The first day of this London month, and the moment it began."""
    first = now.astimezone(LONDON).date().replace(day=1)
    return first, datetime(first.year, first.month, first.day, tzinfo=LONDON)


def dashboard(session: Session, provider_id: uuid.UUID | None, now: datetime) -> Dashboard:
    counts = dict(
        session.execute(
            select(Invoice.status, func.count())
            .where(
                Invoice.provider_id == provider_id,
                Invoice.status.in_(
                    (
                        InvoiceStatus.AWAITING_CONFIRMATION,
                        InvoiceStatus.DISPUTED,
                        InvoiceStatus.PAYMENT_FAILED,
                    )
                ),
            )
            .group_by(Invoice.status)
        ).all()
    )
    on_hold = dict(
        session.execute(
            select(Invoice.decision_reason_code, func.count())
            .where(Invoice.provider_id == provider_id, Invoice.status == InvoiceStatus.ON_HOLD)
            .group_by(Invoice.decision_reason_code)
        ).all()
    )
    month, began = _month_start(now)
    paid, payments = session.execute(
        select(func.coalesce(func.sum(Payment.amount_pence), 0), func.count()).where(
            Payment.provider_id == provider_id,
            Payment.status == PaymentStatus.PAID,
            Payment.paid_at >= began,
        )
    ).one()
    drafts = session.scalar(
        select(func.count()).select_from(InvoiceDraft).where(InvoiceDraft.provider_id == provider_id)
    )
    consents = claimants_repository.nursery_consent_counts(session, provider_id, now)
    return Dashboard(
        waiting_for_parents=counts.get(InvoiceStatus.AWAITING_CONFIRMATION, 0),
        disputed=counts.get(InvoiceStatus.DISPUTED, 0),
        on_hold=on_hold,
        payment_failed=counts.get(InvoiceStatus.PAYMENT_FAILED, 0),
        consents_waiting=consents["waiting"],
        consents_ending=consents["ending"],
        consents_ended=consents["ended"],
        drafts=int(drafts or 0),
        paid_this_month_pence=int(paid),
        payments_this_month=int(payments),
        month=month,
    )


@dataclass(frozen=True)
class Totals:
    count: int
    total_pence: int
    dwp_pence: int
    claimant_pence: int


def invoice_totals(session: Session, provider_id: uuid.UUID | None, wanted: InvoiceFilter) -> Totals:
    """The sums of every invoice the filter picks, on every page of the list."""
    picked = provider_invoice_query(provider_id, wanted).subquery()
    withdrawn = picked.c.status.in_(WITHDRAWN)  # DWP pays nothing on them, nor does the parent owe it
    count, total, dwp, claimant = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(picked.c.total_pence), 0),
            func.coalesce(func.sum(case((withdrawn, 0), else_=picked.c.dwp_pence)), 0),
            func.coalesce(func.sum(case((withdrawn, 0), else_=picked.c.claimant_pence)), 0),
        )
    ).one()
    return Totals(int(count), int(total), int(dwp), int(claimant))


def invoices_for_export(
    session: Session, provider_id: uuid.UUID | None, wanted: InvoiceFilter
) -> Iterator[tuple[Invoice, str]]:
    """Every invoice the filter picks, newest first, with the child's name, read in chunks."""
    picked = provider_invoice_query(provider_id, wanted).with_only_columns(Invoice.id)
    query = (
        select(Invoice, Child.first_name, Child.last_name)
        .join(Child, Child.id == Invoice.child_id)
        .where(Invoice.id.in_(picked))
        .order_by(Invoice.created_at.desc(), Invoice.id.desc())
        .limit(EXPORT_LIMIT)
        .execution_options(yield_per=1000)
    )
    for invoice, first_name, last_name in session.execute(query):
        yield invoice, f"{first_name} {last_name}"


def care_months(session: Session, provider_id: uuid.UUID | None, today: date) -> list[date]:
    """The months the filter offers: from the provider's earliest care (at most 3 years back) to
    next month, newest first."""
    earliest = session.scalar(select(func.min(Invoice.care_from)).where(Invoice.provider_id == provider_id))
    floor = date(today.year - 3, today.month, 1)
    start = max(earliest.replace(day=1), floor) if earliest else today.replace(day=1)
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    months = []
    while month >= start:
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months
