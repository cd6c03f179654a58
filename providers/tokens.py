"""OAuth tokens issued to nursery software: recorded (hashes only), revoked one by one or by family.

A family is every token descended from one authorization code: the code's own tokens and each
one refreshed from them (``family_id`` is the code's id). Reusing a spent code or a rotated
refresh token means someone else may hold the family's tokens, so the whole family is revoked
(RFC 6749 4.1.2; RFC 9700 4.14.2); so is the family of a refresh token its client revokes (RFC
7009 2.1: the access tokens of the same grant go with it).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor, ActorKind
from config.database import transaction, utcnow
from providers.models import OAuthToken


def _client_actor(api_client_id: uuid.UUID, provider_id: uuid.UUID) -> Actor:
    return Actor(kind=ActorKind.API_CLIENT, id=api_client_id, label="API client", provider_id=provider_id)


def issue_token(
    session: Session,
    *,
    api_client_id: uuid.UUID,
    provider_id: uuid.UUID,
    consent_id: uuid.UUID | None,
    scope: str,
    access_token_hash: str,
    refresh_token_hash: str | None,
    expires_in: int,
    family_id: uuid.UUID | None = None,
) -> OAuthToken:
    """Record an issued token (hashes only) in its family; audited like any other credential change."""
    now = utcnow()
    with transaction(session):
        token = OAuthToken(
            id=uuid.uuid4(),
            api_client_id=api_client_id,
            provider_id=provider_id,
            consent_id=consent_id,
            scope=scope,
            access_token_hash=access_token_hash,
            refresh_token_hash=refresh_token_hash,
            issued_at=now,
            access_expires_at=now + timedelta(seconds=expires_in),
            family_id=family_id,
        )
        session.add(token)
        audit.record(
            session,
            "oauth.token_issued",
            token,
            _client_actor(api_client_id, provider_id),
            {"scope": scope, "consent_id": consent_id},
        )
    return token


def revoke_token(session: Session, token_id: uuid.UUID, *, reason: str) -> None:
    with transaction(session):
        token = session.get_one(OAuthToken, token_id)
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            actor = _client_actor(token.api_client_id, token.provider_id)
            audit.record(session, "oauth.token_revoked", token, actor, {"reason": reason})


def revoke_family(session: Session, family_id: uuid.UUID, at: datetime, *, reason: str = "reused") -> int:
    """Revoke every live token of the family, in the caller's transaction; returns how many."""
    live = session.scalars(
        select(OAuthToken).where(OAuthToken.family_id == family_id, OAuthToken.revoked_at.is_(None))
    ).all()
    for token in live:
        token.revoked_at = at
        actor = _client_actor(token.api_client_id, token.provider_id)
        audit.record(session, "oauth.token_revoked", token, actor, {"reason": reason, "family": family_id})
    return len(live)


def revoke_family_of(session: Session, token_id: uuid.UUID, *, reason: str) -> int:
    """Revoke the token and every other live token of its family, in one transaction."""
    with transaction(session):
        token = session.get_one(OAuthToken, token_id)
        if token.family_id is None:
            revoked = 0 if token.revoked_at else 1
            token.revoked_at = token.revoked_at or utcnow()
            if revoked:
                actor = _client_actor(token.api_client_id, token.provider_id)
                audit.record(session, "oauth.token_revoked", token, actor, {"reason": reason})
            return revoked
        return revoke_family(session, token.family_id, utcnow(), reason=reason)
