"""What a caseworker sees beside an invoice: its hours against what is plausible, the invoices
whose care overlaps it, and the parent's monthly maximum used and left in its assessment period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.models import Parent
from claims import ClaimSystemUnavailable
from config import settings
from invoicing import repository
from invoicing.eligibility import days_inclusive
from invoicing.entitlement import monthly_cap_pence
from invoicing.models import CAP_USING_STATES, Invoice, InvoiceStatus
from invoicing.service.claim_facts import ClaimFacts
from providers.models import Provider

_NOT_COUNTING = (InvoiceStatus.CANCELLED, InvoiceStatus.REJECTED)


@dataclass(frozen=True)
class CapInPeriod:
    """The parent's monthly maximum in the invoice's assessment period, in pence."""

    start: date
    end: date
    children: int
    cap_pence: int
    others_pence: int  # DWP's share of the parent's other invoices counting in the period
    this_pence: int  # this invoice's DWP share, when it counts (not cancelled, rejected or £0)
    # The award's childcare element, once calculated, when it is below the monthly maximum: then
    # it, not the maximum, is the most DWP pays in the period.
    award_pence: int | None = None

    @property
    def most_pence(self) -> int:
        return self.cap_pence if self.award_pence is None else min(self.cap_pence, self.award_pence)

    @property
    def used_pence(self) -> int:
        return self.others_pence + self.this_pence

    @property
    def left_pence(self) -> int:
        return max(0, self.most_pence - self.used_pence)


@dataclass(frozen=True)
class Overlap:
    invoice: Invoice
    provider_name: str


@dataclass(frozen=True)
class InvoiceReview:
    hours: Decimal | None  # the lines' hours added up; None when no line gives hours
    days: int
    most_plausible_hours: int  # the most hours a period this long can plausibly have
    overlapping: list[Overlap]
    cap: CapInPeriod | None  # None when no rate is known for the period

    @property
    def hours_text(self) -> str:
        """The hours as people write them: 999, 37.5 (never 999.00)."""
        return _plain(self.hours) if self.hours is not None else ""

    @property
    def hours_per_day(self) -> Decimal | None:
        return None if self.hours is None else (self.hours / self.days).quantize(Decimal("0.1"))


def invoice_review(session: Session, invoice: Invoice) -> InvoiceReview:
    days = days_inclusive(invoice.care_from, invoice.care_to)
    given = [line.hours for line in invoice.lines if line.hours is not None]
    return InvoiceReview(
        hours=sum(given, Decimal(0)) if given else None,
        days=days,
        most_plausible_hours=settings.current().max_plausible_hours_per_day * days,
        overlapping=_overlapping(session, invoice),
        cap=_cap(session, invoice),
    )


def _overlapping(session: Session, invoice: Invoice) -> list[Overlap]:
    """The child's other live invoices, from any provider, whose care overlaps this one's."""
    rows = session.execute(
        select(Invoice, Provider.name)
        .join(Provider, Provider.id == Invoice.provider_id)
        .where(
            Invoice.child_id == invoice.child_id,
            Invoice.id != invoice.id,
            Invoice.status.not_in(_NOT_COUNTING),
            Invoice.care_from <= invoice.care_to,
            Invoice.care_to >= invoice.care_from,
        )
        .order_by(Invoice.care_from, Invoice.invoice_number)
    )
    return [Overlap(other, name) for other, name in rows]


def _cap(session: Session, invoice: Invoice) -> CapInPeriod | None:
    used, children = repository.cap_usage(session, invoice.parent_id, invoice.ap_start)
    counts = invoice.status in CAP_USING_STATES
    this = invoice.dwp_pence if counts else 0
    kids = len(children | {invoice.child_id})
    try:
        cap = monthly_cap_pence(kids, invoice.ap_start)
    except ValueError:
        return None
    reference = session.scalar(select(Parent.uc_claim_reference).where(Parent.id == invoice.parent_id))
    try:
        most, by_award = ClaimFacts(session).most_for(reference, invoice.ap_start, kids)
    except ClaimSystemUnavailable:
        most, by_award = cap, False
    return CapInPeriod(
        invoice.ap_start, invoice.ap_end, kids, cap, used - this, this, award_pence=most if by_award else None
    )


def _plain(number: Decimal) -> str:
    text = f"{number:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
