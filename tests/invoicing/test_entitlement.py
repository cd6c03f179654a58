"""The UC childcare money rules: pure, no database."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.entitlement import Award, assessment_period, childcare_award, monthly_cap_pence

RATES_FILE = Path(__file__).resolve().parents[2] / "config" / "uc_childcare_rates.csv"

FIRST_RATE = date(2016, 4, 11)
dates = st.dates(min_value=date(2016, 4, 11), max_value=date(2035, 12, 31))
pence = st.integers(min_value=0, max_value=10_000_000)
children = st.integers(min_value=1, max_value=12)


@pytest.mark.parametrize(
    ("claim_start", "on", "expected"),
    [
        (date(2026, 3, 15), date(2026, 3, 15), (date(2026, 3, 15), date(2026, 4, 14))),
        (date(2026, 3, 15), date(2026, 4, 14), (date(2026, 3, 15), date(2026, 4, 14))),
        (date(2026, 3, 15), date(2026, 5, 14), (date(2026, 4, 15), date(2026, 5, 14))),
        # A claim from the 31st starts its periods on the last day of shorter months.
        (date(2026, 1, 31), date(2026, 2, 27), (date(2026, 1, 31), date(2026, 2, 27))),
        (date(2026, 1, 31), date(2026, 2, 28), (date(2026, 2, 28), date(2026, 3, 30))),
        (date(2026, 1, 31), date(2026, 3, 31), (date(2026, 3, 31), date(2026, 4, 29))),
        (date(2026, 1, 31), date(2026, 4, 30), (date(2026, 4, 30), date(2026, 5, 30))),
        (date(2027, 1, 31), date(2028, 2, 29), (date(2028, 2, 29), date(2028, 3, 30))),
        (date(2026, 1, 30), date(2026, 3, 1), (date(2026, 2, 28), date(2026, 3, 29))),
        # Across the turn of the year.
        (date(2025, 12, 20), date(2026, 1, 5), (date(2025, 12, 20), date(2026, 1, 19))),
        (date(2025, 1, 1), date(2026, 12, 31), (date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_assessment_period_examples(claim_start: date, on: date, expected: tuple[date, date]) -> None:
    assert assessment_period(claim_start, on) == expected


@given(claim_start=dates, offset=st.integers(min_value=0, max_value=3000))
def test_assessment_periods_tile_the_calendar_from_the_claim_day(claim_start: date, offset: int) -> None:
    on = claim_start + timedelta(days=offset)
    start, end = assessment_period(claim_start, on)
    assert start <= on <= end
    assert 28 <= (end - start).days + 1 <= 31
    next_start, _ = assessment_period(claim_start, end + timedelta(days=1))
    assert next_start == end + timedelta(days=1)
    month_length = ((start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
    assert start.day == min(claim_start.day, month_length)


def test_the_claim_start_day_begins_the_first_period() -> None:
    assert assessment_period(date(2026, 5, 9), date(2026, 5, 9))[0] == date(2026, 5, 9)


@pytest.mark.parametrize(
    ("on", "one", "two"),
    [
        (date(2016, 4, 11), 64635, 110804),
        (date(2023, 6, 27), 64635, 110804),
        (date(2023, 6, 28), 95092, 163015),
        (date(2024, 4, 7), 95092, 163015),
        (date(2024, 4, 8), 101463, 173937),
        # An AP that began on 1 April 2025 is paid at the old rate for the whole AP.
        (date(2025, 4, 1), 101463, 173937),
        (date(2025, 4, 7), 103188, 176894),
        (date(2026, 4, 5), 103188, 176894),
        (date(2026, 4, 6), 107109, 183616),
        (date(2030, 1, 1), 107109, 183616),
    ],
)
def test_monthly_cap_for_periods_starting_on(on: date, one: int, two: int) -> None:
    assert monthly_cap_pence(1, on) == one
    assert monthly_cap_pence(2, on) == two
    assert monthly_cap_pence(5, on) == two


@pytest.mark.parametrize("bad_children", [0, -1])
def test_monthly_cap_needs_at_least_one_child(bad_children: int) -> None:
    with pytest.raises(ValueError, match="at least one child"):
        monthly_cap_pence(bad_children, date(2026, 5, 1))


def test_monthly_cap_is_unknown_before_the_first_rate() -> None:
    with pytest.raises(ValueError, match="no UC childcare rate"):
        monthly_cap_pence(1, FIRST_RATE - timedelta(days=1))


def test_rates_file_has_a_source_for_every_row_and_uprates_by_cpi() -> None:
    with RATES_FILE.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["source"].strip() for row in rows)
    # Since 2023 each April's caps are the previous ones raised by the September CPI (UC-RULES.md).
    cpi = {"2024-04-08": 67, "2025-04-07": 17, "2026-04-06": 38}
    by_date = {row["in_force_from"]: row for row in rows}
    previous = by_date["2023-06-28"]
    for in_force, per_mille in cpi.items():
        row = by_date[in_force]
        for column in ("one_child_pence", "two_or_more_children_pence"):
            raised = int(previous[column]) * (1000 + per_mille)
            assert int(row[column]) == (raised + 500) // 1000, (in_force, column)
        previous = row


@pytest.mark.parametrize(
    ("eligible", "kids", "expected"),
    [
        (95_000, 1, Award(dwp_pence=80_750, claimant_pence=14_250, cap_pence=107_109)),
        (101, 1, Award(dwp_pence=85, claimant_pence=16, cap_pence=107_109)),  # 85.85p rounds down
        (1, 1, Award(dwp_pence=0, claimant_pence=1, cap_pence=107_109)),
        (0, 1, Award(dwp_pence=0, claimant_pence=0, cap_pence=107_109)),
        (200_000, 1, Award(dwp_pence=107_109, claimant_pence=92_891, cap_pence=107_109)),
        (200_000, 2, Award(dwp_pence=170_000, claimant_pence=30_000, cap_pence=183_616)),
        (300_000, 3, Award(dwp_pence=183_616, claimant_pence=116_384, cap_pence=183_616)),
    ],
)
def test_childcare_award_examples(eligible: int, kids: int, expected: Award) -> None:
    assert childcare_award(eligible, kids, date(2026, 11, 1)) == expected


def test_childcare_award_refuses_negative_costs_and_non_integer_money() -> None:
    with pytest.raises(ValueError, match="negative"):
        childcare_award(-1, 1, date(2026, 11, 1))
    with pytest.raises(TypeError, match="pence"):
        childcare_award(100.0, 1, date(2026, 11, 1))  # type: ignore[arg-type]


@given(eligible=pence, kids=children, on=dates)
def test_award_is_never_negative_over_the_cap_or_over_85_percent_and_adds_up(
    eligible: int, kids: int, on: date
) -> None:
    award = childcare_award(eligible, kids, on)
    assert award.dwp_pence >= 0 and award.claimant_pence >= 0
    assert award.dwp_pence <= award.cap_pence == monthly_cap_pence(kids, on)
    assert award.dwp_pence * 100 <= eligible * 85
    assert award.dwp_pence + award.claimant_pence == eligible
    assert all(isinstance(value, int) for value in (award.dwp_pence, award.claimant_pence, award.cap_pence))


@given(eligible=pence, more=st.integers(min_value=0, max_value=100_000), kids=children, on=dates)
def test_award_never_falls_when_costs_rise(eligible: int, more: int, kids: int, on: date) -> None:
    assert (
        childcare_award(eligible + more, kids, on).dwp_pence >= childcare_award(eligible, kids, on).dwp_pence
    )


@given(eligible=pence, on=dates)
def test_below_the_cap_dwp_pays_exactly_85_percent_rounded_down(eligible: int, on: date) -> None:
    award = childcare_award(eligible, 1, on)
    if eligible * 85 // 100 <= award.cap_pence:
        assert award.dwp_pence == eligible * 85 // 100
    else:
        assert award.dwp_pence == award.cap_pence
