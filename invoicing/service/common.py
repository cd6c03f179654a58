"""Small things every invoicing use case needs: London's date, links in emails, a required reason."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from config import settings
from config.database import utcnow
from config.errors import FieldError, ValidationFailed, Words

LONDON = ZoneInfo("Europe/London")


def today_in_london(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LONDON).date()


def link(path: str) -> str:
    """An absolute link for an email, from the service's own address."""
    return settings.current().base_url.rstrip("/") + path


def required_reason(
    reason: str | None, detail: str, message: str, *, field: str = "reason", longest: int = 1000
) -> str:
    """The reason a person gave, trimmed; ``ValidationFailed`` naming ``field`` when there is none
    or it is longer than ``longest`` characters (never cut short without a word)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(detail, errors=[FieldError(field, message)])
    if len(reason) > longest:
        too_long = Words("This must be %(most)s characters or fewer", most=f"{longest:,}")
        raise ValidationFailed(too_long, errors=[FieldError(field, too_long)])
    return reason
