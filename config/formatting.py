"""How dates and times are shown to people: Europe/London, GOV.UK style (4 May 2026)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def london_last_day(ends_at: datetime | None) -> str:
    """The last day something that ends at ``ends_at`` still runs, as people say "until": a
    consent ending at midnight as 1 September begins runs until 31 August."""
    if ends_at is None:
        return ""
    return london_date((ends_at.astimezone(LONDON) - timedelta(microseconds=1)).date())


def london_time(value: datetime | None) -> str:
    """A moment as people in the UK read it: 2:05pm on 4 May 2026."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {london_date(local)}"
