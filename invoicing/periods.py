"""What a parent sees for each assessment period: what DWP pays, what they owe, the cap left.

Invoices are told apart as the parent sees them: confirmed (DWP pays its share, the parent owes
the nursery the rest), waiting for the parent (nothing is paid or owed until they confirm) and
disputed (nothing until DWP decides). Only confirmed invoices are money paid or owed; every
invoice that counts in the period keeps its share of the monthly maximum. Every figure comes
from the entitlement module and the invoices' frozen shares; nothing is worked out a second way.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.models import Parent
from claims import ClaimSystemUnavailable
from invoicing.entitlement import assessment_period, full_share_pence, monthly_cap_pence
from invoicing.models import CAP_USING_STATES, CLAIM_FLAGS, AwardDifference, Invoice, InvoiceStatus
from invoicing.service.claim_facts import ClaimFacts

_S = InvoiceStatus
WAITING_STATES = frozenset({_S.SUBMITTED, _S.AWAITING_CONFIRMATION})
DISPUTED_STATES = frozenset({_S.DISPUTED})
# Confirmed by the parent: DWP pays (or has paid) its share, the parent owes the nursery the rest.
CONFIRMED_STATES = frozenset(CAP_USING_STATES) - WAITING_STATES - DISPUTED_STATES


@dataclass(frozen=True)
class ProviderTotals:
    """One nursery's confirmed invoices in the period."""

    provider_id: uuid.UUID
    dwp_paid_pence: int
    dwp_to_pay_pence: int
    parent_pence: int


@dataclass(frozen=True)
class PeriodSummary:
    start: date
    end: date
    children: int
    cap_pence: int
    cap_used_pence: int
    confirmed: list[Invoice] = field(default_factory=list)
    waiting: list[Invoice] = field(default_factory=list)
    disputed: list[Invoice] = field(default_factory=list)
    by_provider: list[ProviderTotals] = field(default_factory=list)
    # Invoices whose DWP share the monthly maximum lowered: id → what 85% would have been.
    capped: dict[uuid.UUID, int] = field(default_factory=dict)
    # The UC award's childcare element for the period once calculated, when it is lower than the
    # monthly maximum (``cap_pence`` is then the element: the most DWP pays).
    award_pence: int | None = None
    # Confirmed invoices the claim's facts hold (not in the totals: DWP may pay nothing for them).
    held: list[Invoice] = field(default_factory=list)

    @property
    def held_reasons(self) -> list[str]:
        """The claim's reasons for holding them, each once, in the order first met."""
        return list(
            dict.fromkeys(flag for invoice in self.held for flag in invoice.flags if flag in CLAIM_FLAGS)
        )

    @property
    def held_total_pence(self) -> int:
        return sum(invoice.total_pence for invoice in self.held)

    @property
    def over_committed(self) -> bool:
        """DWP has paid or expects to pay more than the most it now pays in the period (the award,
        or the children on the claim, changed after the shares were worked out)."""
        return self.dwp_paid_pence + self.dwp_to_pay_pence > self.cap_pence

    @property
    def invoices(self) -> list[Invoice]:
        return [*self.confirmed, *self.waiting, *self.disputed]

    @property
    def dwp_paid_pence(self) -> int:
        return sum(row.dwp_paid_pence for row in self.by_provider)

    @property
    def dwp_to_pay_pence(self) -> int:
        return sum(row.dwp_to_pay_pence for row in self.by_provider)

    @property
    def parent_pence(self) -> int:
        """What the parent owes their nurseries for confirmed invoices."""
        return sum(row.parent_pence for row in self.by_provider)

    @property
    def waiting_dwp_pence(self) -> int:
        return sum(invoice.dwp_pence for invoice in self.waiting)

    @property
    def waiting_parent_pence(self) -> int:
        return sum(invoice.claimant_pence for invoice in self.waiting)

    @property
    def disputed_total_pence(self) -> int:
        return sum(invoice.total_pence for invoice in self.disputed)

    @property
    def cap_left_pence(self) -> int:
        return max(self.cap_pence - self.cap_used_pence, 0)


def recent_periods(claim_start: date, today: date, count: int = 6) -> list[tuple[date, date]]:
    """The AP containing ``today`` and the ones before it, newest first, never before the claim."""
    periods: list[tuple[date, date]] = []
    day = today
    while len(periods) < count and day >= claim_start:
        start, end = assessment_period(claim_start, day)
        periods.append((start, end))
        day = start - timedelta(days=1)
    return periods


def capped_share(invoice: Invoice) -> int | None:
    """What 85% of the invoice's eligible costs would be, when the monthly maximum lowered DWP's
    share below it; None when DWP pays the full 85%."""
    full = full_share_pence(invoice.eligible_pence)
    return full if invoice.dwp_pence < full else None


def period_summary(session: Session, parent_id: uuid.UUID, start: date, end: date) -> PeriodSummary:
    invoices = list(
        session.scalars(
            select(Invoice)
            .where(
                Invoice.parent_id == parent_id,
                Invoice.ap_start == start,
                Invoice.status.in_(CAP_USING_STATES),
            )
            .order_by(Invoice.created_at)
        )
    )
    children = len({invoice.child_id for invoice in invoices}) or 1
    most, by_award = _most_dwp_pays(session, parent_id, start, children)
    confirmed = [i for i in invoices if i.status in CONFIRMED_STATES]
    held = [i for i in confirmed if i.status is not InvoiceStatus.PAID and CLAIM_FLAGS & set(i.flags)]
    totals: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0, 0])
    for invoice in confirmed:
        if invoice in held:
            continue
        row = totals[invoice.provider_id]
        row[0 if invoice.status is InvoiceStatus.PAID else 1] += invoice.dwp_pence
        row[2] += invoice.claimant_pence
    capped = {i.id: full for i in invoices if (full := capped_share(i)) is not None}
    return PeriodSummary(
        start=start,
        end=end,
        children=children,
        cap_pence=most,
        cap_used_pence=sum(invoice.dwp_pence for invoice in invoices),
        confirmed=confirmed,
        waiting=[i for i in invoices if i.status in WAITING_STATES],
        disputed=[i for i in invoices if i.status in DISPUTED_STATES],
        by_provider=[ProviderTotals(pid, paid, to_pay, owed) for pid, (paid, to_pay, owed) in totals.items()],
        capped=capped,
        award_pence=most if by_award else None,
        held=held,
    )


def _most_dwp_pays(session: Session, parent_id: uuid.UUID, start: date, children: int) -> tuple[int, bool]:
    """The most DWP pays in the period, from the claim's facts (the award's childcare element,
    the children on the claim); the monthly maximum for the invoices' children while the claim
    system cannot be asked."""
    reference = session.scalar(select(Parent.uc_claim_reference).where(Parent.id == parent_id))
    try:
        return ClaimFacts(session).most_for(reference, start, children)
    except ClaimSystemUnavailable:
        return monthly_cap_pence(children, start), False


def award_difference(session: Session, parent_id: uuid.UUID, start: date) -> AwardDifference | None:
    """The parent's own latest award difference for the AP starting ``start``: the award,
    calculated after DWP paid, allowed less childcare than DWP paid (``invoicing.service.awards``).
    An award recalculated since supersedes the one before."""
    return session.scalars(
        select(AwardDifference)
        .where(AwardDifference.parent_id == parent_id, AwardDifference.ap_start == start)
        .order_by(AwardDifference.found_at.desc())
        .limit(1)
    ).first()
