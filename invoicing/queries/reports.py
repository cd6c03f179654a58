"""DWP's spend reports: what was paid to providers, by calendar month of payment and by region.

"Paid" is a payment the rail has confirmed (``paid``), counted on the day it was paid, in
Europe/London; its amount is what left DWP (the invoices' shares less credit notes taken off).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Result, func, select
from sqlalchemy.orm import Session

from config.formatting import LONDON
from invoicing.models import Payment, PaymentAllocation, PaymentStatus
from providers.models import Provider


@dataclass(frozen=True)
class DateRange:
    """Whole days in Europe/London, both ends included."""

    start: date
    end: date

    @property
    def from_utc(self) -> datetime:
        return datetime.combine(self.start, time(0), LONDON).astimezone(UTC)

    @property
    def to_utc(self) -> datetime:
        """The first moment after the range."""
        return datetime.combine(self.end + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def last_twelve_months(today: date) -> DateRange:
    """From the first day of the month eleven months ago to today: twelve calendar months."""
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return DateRange(date(year, month + 1, 1), today)


@dataclass(frozen=True)
class SpendRow:
    label: date | str  # the first day of a month, or a region
    payments: int
    invoices: int
    paid_pence: int


def _paid_payments(session: Session, within: DateRange) -> Result[datetime, int, str, int]:
    invoices = (
        select(PaymentAllocation.payment_id, func.count().label("invoices"))
        .where(PaymentAllocation.live.is_(True))
        .group_by(PaymentAllocation.payment_id)
        .subquery()
    )
    return session.execute(
        select(Payment.paid_at, Payment.amount_pence, Provider.region, func.coalesce(invoices.c.invoices, 0))
        .join(Provider, Provider.id == Payment.provider_id)
        .outerjoin(invoices, invoices.c.payment_id == Payment.id)
        .where(
            Payment.status == PaymentStatus.PAID,
            Payment.paid_at >= within.from_utc,
            Payment.paid_at < within.to_utc,
        )
        .execution_options(yield_per=1000)
    )


def spend_by_month(session: Session, within: DateRange) -> list[SpendRow]:
    """What DWP paid in each calendar month of the range (London time), oldest first, every month
    of the range shown (a month with nothing paid says £0)."""
    totals: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for paid_at, amount, _region, invoices in _paid_payments(session, within):
        day = paid_at.replace(tzinfo=paid_at.tzinfo or UTC).astimezone(LONDON).date()
        row = totals[day.replace(day=1)]
        row[0], row[1], row[2] = row[0] + 1, row[1] + int(invoices), row[2] + int(amount)
    months, month = [], within.start.replace(day=1)
    while month <= within.end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return [SpendRow(m, *totals.get(m, [0, 0, 0])) for m in months]


def spend_by_region(session: Session, within: DateRange) -> list[SpendRow]:
    """What DWP paid in the range to providers in each region, most first ("" when not known)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _paid_at, amount, region, invoices in _paid_payments(session, within):
        row = totals[region or ""]
        row[0], row[1], row[2] = row[0] + 1, row[1] + int(invoices), row[2] + int(amount)
    rows = [SpendRow(region, *figures) for region, figures in totals.items()]
    return sorted(rows, key=lambda row: (-row.paid_pence, str(row.label)))
