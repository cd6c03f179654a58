"""Rules about children and consents that decide whose childcare counts. Pure: no database, no clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta


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


# Warnings before a consent ends (each sent once, on the home page and by email), and how near
# the end "Renew for another year" is offered.
ENDING_WARNINGS = (timedelta(days=30), timedelta(days=7))
RENEW_WITHIN = ENDING_WARNINGS[0]


def ending_warnings_due(expires_at: datetime, now: datetime) -> int:
    """How many of ``ENDING_WARNINGS`` are due for a consent ending at ``expires_at``."""
    return sum(1 for before in ENDING_WARNINGS if expires_at - now <= before)


def renewable(status: str, expires_at: datetime | None, now: datetime) -> bool:
    """An ended consent may be renewed; a live one only within ``RENEW_WITHIN`` of its end."""
    if status == "expired":
        return True
    return status == "authorised" and expires_at is not None and now < expires_at <= now + RENEW_WITHIN
