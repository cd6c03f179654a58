"""The early-years flags for councils, at their boundaries. Pure: no database."""

from __future__ import annotations

from datetime import date

import pytest

from claimants.early_years import Earnings, age_on, flags_for, thresholds_on

ON = date(2026, 12, 1)
LOW = Earnings((50_000, 50_000, 50_000))  # £6,000 a year


def born_years_before(years: int, days: int = 0) -> date:
    """Born ``years`` before ON, then ``days`` later (so a day short of that birthday)."""
    return date.fromordinal(date(ON.year - years, ON.month, ON.day).toordinal() + days)


@pytest.mark.parametrize(
    ("born", "age"),
    [
        (born_years_before(3), 3),
        (born_years_before(3, days=1), 2),  # the third birthday is tomorrow
        (born_years_before(5, days=1), 4),
        (born_years_before(5), 5),
        (date(2024, 2, 29), 2),
    ],
)
def test_age_is_in_whole_years_on_the_day(born: date, age: int) -> None:
    assert age_on(born, ON) == age


def test_the_limits_are_dated_data_with_a_source() -> None:
    limits = thresholds_on(ON)
    assert limits.eypp_earnings_limit_pence == 740_000
    assert limits.two_year_old_income_limit_pence == 1_540_000
    assert "assessment periods" in limits.source
    with pytest.raises(ValueError):
        thresholds_on(date(2010, 1, 1))


@pytest.mark.parametrize(
    ("born", "flagged"),
    [
        (born_years_before(3), True),
        (born_years_before(5, days=1), True),
        (born_years_before(5), False),
        (born_years_before(1), False),
    ],
)
def test_pupil_premium_needs_age_3_or_4(born: date, flagged: bool) -> None:
    assert flags_for(born, False, LOW, ON).pupil_premium.may_be_eligible is flagged


def test_pupil_premium_at_exactly_7400_a_year_and_a_penny_over() -> None:
    born = born_years_before(3)
    exactly = Earnings((61_666, 61_667, 61_667))  # £1,850 x 4 = £7,400.00
    over = Earnings((61_667, 61_667, 61_667))  # a penny more in one period
    at_limit = flags_for(born, False, exactly, ON).pupil_premium
    assert at_limit.may_be_eligible
    assert at_limit.because == (
        "aged 3 on 1 December 2026",
        "earnings £7,400 a year from 3 assessment periods, within the limit of £7,400 from 1 April 2018",
    )
    above = flags_for(born, False, over, ON).pupil_premium
    assert not above.may_be_eligible
    assert "£7,400.04 a year from 3 assessment periods, over the limit of £7,400" in above.reasons


def test_one_or_two_periods_are_annualised_from_what_there_is() -> None:
    born = born_years_before(4)
    one = Earnings((61_666,))  # £7,399.92 a year
    assert flags_for(born, False, one, ON).pupil_premium.may_be_eligible
    assert "from 1 assessment period," in flags_for(born, False, one, ON).pupil_premium.reasons
    two_over = Earnings((61_667, 61_667))  # £7,400.04 a year
    assert not flags_for(born, False, two_over, ON).pupil_premium.may_be_eligible
    with pytest.raises(ValueError):
        Earnings(())
    with pytest.raises(ValueError):
        Earnings((1, 2, 3, 4))


def test_no_earnings_facts_raise_no_earnings_flag_and_say_so() -> None:
    flags = flags_for(born_years_before(3), True, None, ON)
    assert not flags.pupil_premium.may_be_eligible
    assert "no earnings facts from the Universal Credit claim" in flags.pupil_premium.because
    assert not flags_for(born_years_before(2), False, None, ON).two_year_old_place.may_be_eligible
    assert flags.disability_access_fund.may_be_eligible  # it does not rest on earnings


def test_a_two_year_old_may_get_the_premium_only_in_a_funded_place() -> None:
    premium = flags_for(born_years_before(2), False, LOW, ON).pupil_premium
    assert premium.may_be_eligible
    assert premium.because[0] == "aged 2 on 1 December 2026: only if in a funded place for two-year-olds"


@pytest.mark.parametrize(
    ("born", "disabled", "flagged"),
    [
        (born_years_before(3), True, True),
        (born_years_before(5, days=1), True, True),
        (born_years_before(3), False, False),
        (born_years_before(3, days=1), True, False),  # still 2
        (born_years_before(5), True, False),
    ],
)
def test_disability_access_fund_rests_on_age_and_the_parents_answer(
    born: date, disabled: bool, flagged: bool
) -> None:
    flag = flags_for(born, disabled, None, ON).disability_access_fund
    assert flag.may_be_eligible is flagged
    if disabled:
        assert "the council must check Disability Living Allowance" in flag.reasons
    else:
        assert "the parent said the child does not get a disability benefit" in flag.reasons


@pytest.mark.parametrize(
    ("born", "flagged"),
    [
        (born_years_before(2), True),
        (born_years_before(2, days=1), False),  # still 1
        (born_years_before(3, days=1), True),
        (born_years_before(3), False),
    ],
)
def test_two_year_old_place_needs_age_2(born: date, flagged: bool) -> None:
    assert flags_for(born, False, LOW, ON).two_year_old_place.may_be_eligible is flagged


def test_two_year_old_place_at_exactly_15400_a_year_and_a_penny_over() -> None:
    born = born_years_before(2)
    exactly = Earnings((128_333, 128_333, 128_334))  # £3,850 x 4 = £15,400.00
    over = Earnings((128_334, 128_333, 128_334))
    place = flags_for(born, False, exactly, ON).two_year_old_place
    assert place.may_be_eligible
    assert place.because[1] == (
        "household earnings £15,400 a year from 3 assessment periods, "
        "within the limit of £15,400 from 1 April 2018"
    )
    assert not flags_for(born, False, over, ON).two_year_old_place.may_be_eligible
    # Over the pupil premium's limit, within the two-year-old offer's.
    assert not flags_for(born, False, exactly, ON).pupil_premium.may_be_eligible
