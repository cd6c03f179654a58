"""Which claim system this process asks: chosen by ``CLAIM_SYSTEM`` (``development`` or ``http``)."""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from claims import ClaimSystem
from config import settings

_chosen: ClaimSystem | None = None


def current(session: Session) -> ClaimSystem:
    """The claim system, for a caller working in ``session`` (the development one keeps its
    tables in the same database, read and written in sessions of its own)."""
    if _chosen is not None:
        return _chosen
    cfg = settings.current()
    if cfg.claim_system == "http":
        return _http(cfg.claim_system_url, cfg.claim_system_token)
    from claims.development import DevelopmentClaims

    return DevelopmentClaims(sessionmaker(bind=session.get_bind(), expire_on_commit=False))


@cache
def _http(url: str, token: str) -> ClaimSystem:
    from claims.http import HttpClaims

    return HttpClaims(url, token)


def use(system: ClaimSystem | None) -> None:
    """Ask ``system`` from now on (``None``: choose from the settings again); for the tests."""
    global _chosen
    _chosen = system
