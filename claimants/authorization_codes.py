"""OAuth authorization codes from the consent screen: issued, claimed once, and reuse caught.

A code is claimed atomically on its first use (``UPDATE ... WHERE used_at IS NULL``), so two
requests racing with one code cannot both get tokens. A code presented again after that is an
attack or a broken client: RFC 6749 4.1.2 says to refuse it and revoke the tokens it issued,
which ``claim_authorization_code`` does through ``providers.tokens.revoke_family``.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimants.models import AuthorizationCode
from config import audit
from config.auth import Actor, ActorKind
from config.database import transaction, utcnow
from providers import tokens


def save_authorization_code(
    session: Session,
    *,
    code_hash: str,
    api_client_id: uuid.UUID,
    parent_id: uuid.UUID,
    consent_id: uuid.UUID,
    redirect_uri: str,
    scope: str,
    code_challenge: str,
    lifetime: timedelta,
) -> AuthorizationCode:
    now = utcnow()
    with transaction(session):
        code = AuthorizationCode(
            id=uuid.uuid4(),
            code_hash=code_hash,
            api_client_id=api_client_id,
            parent_id=parent_id,
            consent_id=consent_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge=code_challenge,
            code_challenge_method="S256",
            created_at=now,
            expires_at=now + lifetime,
        )
        session.add(code)
        audit.record(
            session,
            "oauth.code_issued",
            code,
            _system_for(parent_id),
            {"consent_id": consent_id, "api_client_id": api_client_id},
        )
    return code


def claim_authorization_code(
    session: Session, code_hash: str, api_client_id: uuid.UUID
) -> AuthorizationCode | None:
    """The code, spent now if it was unspent, live and this client's; else None.

    A code of this client that was already spent is being reused: every token issued from it
    (and every token refreshed from those) is revoked, and None is returned.
    """
    now = utcnow()
    with transaction(session):
        claimed = session.execute(
            update(AuthorizationCode)
            .where(
                AuthorizationCode.code_hash == code_hash,
                AuthorizationCode.api_client_id == api_client_id,
                AuthorizationCode.used_at.is_(None),
                AuthorizationCode.expires_at > now,
            )
            .values(used_at=now)
        )
        code = session.scalars(
            select(AuthorizationCode).where(
                AuthorizationCode.code_hash == code_hash, AuthorizationCode.api_client_id == api_client_id
            )
        ).one_or_none()
        if code is None:
            return None
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            audit.record(session, "oauth.code_spent", code, _system_for(code.parent_id))
            return code
        if code.used_at is not None:
            revoked = tokens.revoke_family(session, code.id, now)
            audit.record(
                session, "oauth.code_reused", code, _system_for(code.parent_id), {"tokens_revoked": revoked}
            )
    return None


def _system_for(parent_id: uuid.UUID) -> Actor:
    return Actor(kind=ActorKind.SYSTEM, id=None, label="OAuth authorization server", parent_id=parent_id)
