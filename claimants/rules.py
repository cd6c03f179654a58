"""Rules about children that decide whose childcare counts. Pure: no database, no clock."""

from __future__ import annotations

from datetime import date


def childcare_age_limit(date_of_birth: date) -> date:
    """First day of care that no longer counts: the 1 September after the 16th birthday.

    UC has no longer limit for disabled children (that rule is Tax-Free Childcare's).
    """
    sixteenth = _add_years(date_of_birth, 16)
    first_september = date(sixteenth.year, 9, 1)
    return first_september if first_september > sixteenth else date(sixteenth.year + 1, 9, 1)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
