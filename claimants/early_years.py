"""Who may be eligible for councils' early-years help, and why. Pure: no database, no clock.

Councils decide eligibility; what DWP tells them (with the parent's agreement) is only who *may*
be eligible and what that rests on, so each flag carries its reasons in words a council officer
reads in a spreadsheet. Three flags (shared/UC-RULES.md, "What councils need to know"):

- early years pupil premium: aged 3 or 4 (or 2, in a funded place for two-year-olds), and the
  household's annual net earnings, from up to three of the most recent assessment periods, no
  more than the limit in force;
- disability access fund: aged 3 or 4 and getting Disability Living Allowance. The service only
  has the parent's answer to "does the child get a disability benefit or are they certified
  blind", so the flag says it rests on that answer and that the council must check;
- funded place for two-year-olds: aged 2 and household income after tax, not counting benefits,
  no more than the limit in force. The claim's net earnings stand in for that income.

The limits are dated data in ``config/early_years_thresholds.csv``, each row with its source.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

_THRESHOLDS_FILE = Path(__file__).resolve().parent.parent / "config" / "early_years_thresholds.csv"

# "assessed on up to three of the most recent assessment periods"
MOST_PERIODS = 3


@dataclass(frozen=True)
class Thresholds:
    in_force_from: date
    eypp_earnings_limit_pence: int
    two_year_old_income_limit_pence: int
    source: str


@cache
def _thresholds() -> tuple[Thresholds, ...]:
    with _THRESHOLDS_FILE.open(newline="", encoding="utf-8") as handle:
        rows = [
            Thresholds(
                in_force_from=date.fromisoformat(row["in_force_from"]),
                eypp_earnings_limit_pence=int(row["eypp_annual_net_earnings_limit_pence"]),
                two_year_old_income_limit_pence=int(row["two_year_old_household_income_limit_pence"]),
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(rows, key=lambda row: row.in_force_from))


def thresholds_on(on: date) -> Thresholds:
    """The limits in force on ``on``; ``ValueError`` before the first known row."""
    in_force = [row for row in _thresholds() if row.in_force_from <= on]
    if not in_force:
        raise ValueError(f"no early years thresholds are known for {on.isoformat()}")
    return in_force[-1]


@dataclass(frozen=True)
class Earnings:
    """The household's net earnings in each of up to three most recent assessment periods."""

    period_pence: tuple[int, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.period_pence) <= MOST_PERIODS:
            raise ValueError("earnings are assessed on one to three assessment periods")

    def within(self, annual_limit_pence: int) -> bool:
        """Annualised (sum x 12 / periods) no more than the limit, compared exactly: never rounded
        down onto the limit."""
        return sum(self.period_pence) * 12 <= annual_limit_pence * len(self.period_pence)

    @property
    def annual_pence(self) -> int:
        """The annualised figure to show, rounded down to the penny."""
        return sum(self.period_pence) * 12 // len(self.period_pence)

    def said(self) -> str:
        periods = len(self.period_pence)
        plural = "assessment period" if periods == 1 else "assessment periods"
        return f"{pounds(self.annual_pence)} a year from {periods} {plural}"


@dataclass(frozen=True)
class Flag:
    may_be_eligible: bool
    because: tuple[str, ...]

    @property
    def reasons(self) -> str:
        return "; ".join(self.because)


@dataclass(frozen=True)
class Flags:
    pupil_premium: Flag
    disability_access_fund: Flag
    two_year_old_place: Flag


def flags_for(date_of_birth: date, disabled: bool, earnings: Earnings | None, on: date) -> Flags:
    """What a council may want to know about one child on ``on`` (the export's date).

    ``earnings`` is ``None`` when the claim gave no earnings facts: the earnings flags are then
    not raised, and say so.
    """
    age = age_on(date_of_birth, on)
    limits = thresholds_on(on)
    aged = f"aged {age} on {long_date(on)}"
    since = f"from {long_date(limits.in_force_from)}"
    no_facts = "no earnings facts from the Universal Credit claim"

    def earnings_test(limit_pence: int, what: str) -> tuple[bool, str]:
        if earnings is None:
            return False, no_facts
        within = earnings.within(limit_pence)
        relation = "within" if within else "over"
        return within, f"{what} {earnings.said()}, {relation} the limit of {pounds(limit_pence)} {since}"

    three_or_four = age in (3, 4)
    eypp_earnings_ok, eypp_earnings = earnings_test(limits.eypp_earnings_limit_pence, "earnings")
    if age == 2:
        eypp_age = f"{aged}: only if in a funded place for two-year-olds"
    else:
        eypp_age = aged if three_or_four else f"{aged}: not 3 or 4"
    pupil_premium = Flag(age in (2, 3, 4) and eypp_earnings_ok, (eypp_age, eypp_earnings))

    disability = (
        "the parent said the child gets a disability benefit or is certified blind: "
        "the council must check Disability Living Allowance"
        if disabled
        else "the parent said the child does not get a disability benefit"
    )
    access_fund = Flag(
        three_or_four and disabled, (aged if three_or_four else f"{aged}: not 3 or 4", disability)
    )

    two_income_ok, two_income = earnings_test(limits.two_year_old_income_limit_pence, "household earnings")
    two_year_old = Flag(age == 2 and two_income_ok, (aged if age == 2 else f"{aged}: not 2", two_income))
    return Flags(pupil_premium, access_fund, two_year_old)


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on ``on`` (someone born on 29 February is a year older on 1 March)."""
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))


def long_date(day: date) -> str:
    """ "1 December 2026": English, as the export and DWP's pages are."""
    months = ("January February March April May June July August September October November December").split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def pounds(pence: int) -> str:
    """Whole pounds without pence ("£7,400"), else to the penny ("£7,400.04")."""
    whole, rest = divmod(pence, 100)
    return f"£{whole:,}" if rest == 0 else f"£{whole:,}.{rest:02d}"
