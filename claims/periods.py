"""Assessment periods: the monthly periods of a Universal Credit claim. Pure.

The claim system says which AP a date is in (``PeriodFacts.ap_start``); this is the same
computation from the claim's start date, the fallback when the claim system does not know the
claim and the check on its answer.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache


def _start_in_month(claim_day: int, year: int, month: int) -> date:
    """The period start in a month: the claim's day, or the month's last day when it is shorter."""
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(claim_day, last_day))


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@lru_cache(maxsize=65536)  # pure, and asked the same question for every invoice in a batch
def assessment_period(claim_start: date, on: date) -> tuple[date, date]:
    """First and last day (inclusive) of the assessment period that contains ``on``.

    Periods start each month on the day the claim started, or on the month's last day when the
    month has no such day (a claim from 31 January has periods from 28 or 29 February, 31 March,
    30 April, ...). Each ends the day before the next starts. The grid is the same before the
    claim began; whether such a date matters is the caller's question.
    """
    day = claim_start.day
    start = _start_in_month(day, on.year, on.month)
    if start > on:
        start = _start_in_month(day, *_shift_month(on.year, on.month, -1))
    next_start = _start_in_month(day, *_shift_month(start.year, start.month, 1))
    return start, next_start - timedelta(days=1)
