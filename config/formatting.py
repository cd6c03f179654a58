"""How dates, times and money are shown to people: Europe/London, GOV.UK style (4 May 2026),
in the page's language through Babel's locale data (Welsh: 4 Mai 2026, 2:05yp ar 4 Mai 2026)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_currency
from flask import has_app_context

LONDON = ZoneInfo("Europe/London")


def page_locale() -> str:
    """The language of the page or email being made: the request's, or the one an email's reader
    chose (``flask_babel.force_locale``); English for logs, CSVs and jobs."""
    if not has_app_context():
        return "en"
    from flask_babel import get_locale

    return str(get_locale() or "en")


class InLanguage:
    """A date or a moment written when it is shown, in the language of whoever reads it: a service
    puts one in a message or an email, and the page or the email's reader decides the words."""

    def __init__(self, write: Callable[[Any], str], value: Any) -> None:
        self.write, self.value = write, value

    def __str__(self) -> str:
        return self.write(self.value)


def day(value: date | datetime | None) -> InLanguage:
    return InLanguage(london_date, value)


def last_day(ends_at: datetime | None) -> InLanguage:
    return InLanguage(london_last_day, ends_at)


def moment(value: datetime | None) -> InLanguage:
    return InLanguage(london_time, value)


def said(message: str) -> InLanguage:
    """A service's message (a bank's reason it recognises, for instance) in its reader's words."""
    from config.errors import translated

    return InLanguage(translated, message)


def london_date(value: date | datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return format_date(value, "d MMMM y", locale=_babel(locale or page_locale()))


def london_last_day(ends_at: datetime | None) -> str:
    """The last day something that ends at ``ends_at`` still runs, as people say "until": a
    consent ending at midnight as 1 September begins runs until 31 August."""
    if ends_at is None:
        return ""
    return london_date((ends_at.astimezone(LONDON) - timedelta(microseconds=1)).date())


def london_time(value: datetime | None, locale: str | None = None) -> str:
    """A moment as people in the UK read it: 2:05pm on 4 May 2026 (2:05yp ar 4 Mai 2026)."""
    if value is None:
        return ""
    locale = locale or page_locale()
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    if locale == "cy":
        return f"{hour}:{local:%M}{'yb' if local.hour < 12 else 'yh'} ar {london_date(local, 'cy')}"
    return f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {london_date(local, 'en')}"


def pounds(pence: int, locale: str | None = None) -> str:
    """``123456`` → ``£1,234.56`` in the page's locale (the same in English and Welsh)."""
    if not isinstance(pence, int) or isinstance(pence, bool):
        raise TypeError("money is integer pence")
    return format_currency(Decimal(pence).scaleb(-2), "GBP", locale=_babel(locale or page_locale()))


def _babel(locale: str) -> str:
    return {"en": "en_GB", "cy": "cy_GB"}.get(locale, "en_GB")
