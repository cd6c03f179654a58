"""What a parent sees for each assessment period: what DWP pays, what they owe, the cap left.

Every figure comes from the entitlement module and the invoices' frozen shares; nothing is
worked out a second way here.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from invoicing.entitlement import assessment_period, monthly_cap_pence
from invoicing.models import CAP_USING_STATES, Invoice


@dataclass(frozen=True)
class ProviderTotals:
    provider_id: uuid.UUID
    dwp_pence: int
    parent_pence: int


@dataclass(frozen=True)
class PeriodSummary:
    start: date
    end: date
    children: int
    cap_pence: int
    dwp_pence: int
    parent_pence: int
    invoices: list[Invoice] = field(default_factory=list)
    by_provider: list[ProviderTotals] = field(default_factory=list)

    @property
    def cap_left_pence(self) -> int:
        return max(self.cap_pence - self.dwp_pence, 0)


def recent_periods(claim_start: date, today: date, count: int = 6) -> list[tuple[date, date]]:
    """The AP containing ``today`` and the ones before it, newest first, never before the claim."""
    periods: list[tuple[date, date]] = []
    day = today
    while len(periods) < count and day >= claim_start:
        start, end = assessment_period(claim_start, day)
        periods.append((start, end))
        day = start - timedelta(days=1)
    return periods


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
    totals: dict[uuid.UUID, list[int]] = defaultdict(lambda: [0, 0])
    for invoice in invoices:
        totals[invoice.provider_id][0] += invoice.dwp_pence
        totals[invoice.provider_id][1] += invoice.claimant_pence
    return PeriodSummary(
        start=start,
        end=end,
        children=children,
        cap_pence=monthly_cap_pence(children, start),
        dwp_pence=sum(invoice.dwp_pence for invoice in invoices),
        parent_pence=sum(invoice.claimant_pence for invoice in invoices),
        invoices=invoices,
        by_provider=[ProviderTotals(pid, dwp, owed) for pid, (dwp, owed) in totals.items()],
    )
