"""Scheduled work for consents. Each job is safe to run twice."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimants import service
from config.auth import SYSTEM


def expire_consents(session: Session) -> dict[str, int]:
    """Warn parents of consents ending in 30 and 7 days, then end the ones past their date."""
    warned = service.warn_ending_consents(session, SYSTEM)
    return {"warned": warned, "expired": service.expire_consents(session, SYSTEM)}
