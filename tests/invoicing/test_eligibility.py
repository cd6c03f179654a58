"""Which costs count, and in which assessment period: pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from claimants.rules import childcare_age_limit
from invoicing.eligibility import attribute

CLAIM = date(2026, 1, 15)  # APs run from the 15th to the 14th


def test_care_in_arrears_counts_in_the_period_it_is_paid() -> None:
    where = attribute(CLAIM, date(2026, 10, 1), date(2026, 10, 31), paid_on=date(2026, 11, 20))
    assert (where.start, where.end, where.flags) == (date(2026, 11, 15), date(2026, 12, 14), ())


def test_care_paid_in_advance_counts_in_the_period_of_the_care() -> None:
    where = attribute(CLAIM, date(2026, 12, 15), date(2027, 1, 14), paid_on=date(2026, 11, 20))
    assert (where.start, where.end, where.flags) == (date(2026, 12, 15), date(2027, 1, 14), ())


def test_care_more_than_two_periods_before_payment_is_flagged() -> None:
    assert attribute(CLAIM, date(2026, 8, 1), date(2026, 8, 10), paid_on=date(2026, 11, 20)).flags == (
        "care_too_old",
    )
    assert attribute(CLAIM, date(2026, 9, 15), date(2026, 9, 30), paid_on=date(2026, 11, 20)).flags == ()


def test_advance_care_more_than_two_periods_ahead_or_spanning_periods_is_flagged() -> None:
    assert (
        "care_too_early" in attribute(CLAIM, date(2027, 2, 15), date(2027, 2, 20), date(2026, 11, 20)).flags
    )
    assert (
        "advance_spans_periods"
        in attribute(CLAIM, date(2026, 12, 1), date(2026, 12, 31), date(2026, 11, 20)).flags
    )


def test_care_before_the_claim_began_is_flagged() -> None:
    assert (
        "care_before_claim" in attribute(CLAIM, date(2026, 1, 1), date(2026, 1, 20), date(2026, 2, 1)).flags
    )


@pytest.mark.parametrize(
    ("born", "limit"),
    [
        (date(2012, 3, 20), date(2028, 9, 1)),
        (date(2012, 9, 1), date(2029, 9, 1)),  # 16 on 1 September: the next one
        (date(2012, 8, 31), date(2028, 9, 1)),
        (date(2012, 2, 29), date(2028, 9, 1)),
    ],
)
def test_childcare_counts_until_the_first_of_september_after_the_sixteenth_birthday(
    born: date, limit: date
) -> None:
    assert childcare_age_limit(born) == limit
