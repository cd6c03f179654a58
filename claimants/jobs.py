"""Scheduled work for consents. Each job is safe to run twice."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimants import service
from config.auth import SYSTEM


def expire_consents(session: Session) -> dict[str, int]:
    return {"expired": service.expire_consents(session, SYSTEM)}
