"""Registration answers kept on the server while a person registers their setting.

The multi-page registration used to keep every answer, bank details and the password's Argon2
hash included, in the signed session cookie: readable by anyone holding the browser, sent with
every request, and alive as long as the cookie. Now the cookie holds only a random token (256
bits) and the answers live in ``registration_drafts`` under the token's SHA-256 hash, for
``DRAFT_LIFETIME`` after the last answer. A table rather than Redis: Redis is optional here (the
rate limits fall back to memory), and every web process must see the same drafts.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from config.database import transaction, utcnow
from providers.models import RegistrationDraft

DRAFT_LIFETIME = timedelta(hours=24)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _find(session: Session, token: str | None) -> RegistrationDraft | None:
    if not token:
        return None
    return session.scalars(
        select(RegistrationDraft).where(
            RegistrationDraft.token_hash == _hash(token), RegistrationDraft.expires_at > utcnow()
        )
    ).one_or_none()


def load_answers(session: Session, token: str | None) -> dict[str, str]:
    """The answers given so far under ``token`` (none for no token, an unknown or an old one)."""
    draft = _find(session, token)
    return dict(draft.answers) if draft is not None else {}


def save_answers(session: Session, token: str | None, answers: dict[str, str]) -> str:
    """Keep ``answers`` under ``token``, or under a new token if that one is unknown or old;
    returns the token to keep in the cookie. Drafts past their lifetime are deleted on the way."""
    now = utcnow()
    with transaction(session):
        session.execute(delete(RegistrationDraft).where(RegistrationDraft.expires_at <= now))
        draft = _find(session, token)
        if draft is None or token is None:
            token = secrets.token_urlsafe(32)
            draft = RegistrationDraft(id=uuid.uuid4(), token_hash=_hash(token), created_at=now)
            session.add(draft)
        draft.answers = dict(answers)
        draft.expires_at = now + DRAFT_LIFETIME
    return token


def forget(session: Session, token: str | None) -> None:
    """The setting is registered (or the person started again): its draft goes."""
    if not token:
        return
    with transaction(session):
        session.execute(delete(RegistrationDraft).where(RegistrationDraft.token_hash == _hash(token)))
