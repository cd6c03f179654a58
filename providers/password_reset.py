"""Forgotten passwords: a single-use link by email, for an hour, that ends every session.

Asking for a link answers the same whether or not the address has an account. The link's token
is random (256 bits) and only its SHA-256 hash is stored. Setting the new password spends the
link (and any other the user still holds), ends every session of the user on every device,
clears the failed attempts counted against the account (its owner has just shown they hold its
mailbox) and tells the owner by email. It does not sign anyone in: the security code is still
needed, so a stolen mailbox alone opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from config import audit, notify
from config.auth import SYSTEM
from config.database import transaction, utcnow
from config.errors import N_, NotFound
from providers.models import ProviderUser
from providers.passwords import check_new_password, hash_password
from providers.security_models import PasswordReset, SignInThrottle
from providers.sign_in import account_key, user_actor

LINK_LIFETIME = timedelta(hours=1)
LINK_GONE = N_("This link to reset your password has expired or has already been used. Ask for a new one.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(session: Session, email: str, link_base: str) -> None:
    """Email a reset link to the account with this address, if there is one (nothing otherwise:
    the caller says the same either way)."""
    email = email.strip().lower()
    now = utcnow()
    with transaction(session):
        user = session.scalars(
            select(ProviderUser).where(ProviderUser.email == email, ProviderUser.active.is_(True))
        ).one_or_none()
        if user is None:
            return
        token = secrets.token_urlsafe(32)
        reset = PasswordReset(
            id=uuid.uuid4(),
            user_id=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        session.add(reset)
        audit.record(session, "provider_user.password_reset_requested", user, SYSTEM, {"reset": reset.id})
        notify.queue_email(
            session,
            to=user.email,
            template="provider_password_reset",
            reference=f"password-reset-{reset.id}",
            link=f"{link_base}/{token}",
        )


def find_reset(session: Session, token: str, *, for_update: bool = False) -> PasswordReset:
    """The unused, unexpired reset this token names, else ``NotFound``."""
    statement = select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token))
    reset = session.scalars(statement.with_for_update() if for_update else statement).one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise NotFound(LINK_GONE)
    return reset


def reset_password(session: Session, token: str, password: str) -> ProviderUser:
    """Set the new password through the link; the link, and every session, stop working."""
    check_new_password(password)
    now = utcnow()
    with transaction(session):
        reset = find_reset(session, token, for_update=True)
        user = session.get_one(ProviderUser, reset.user_id, with_for_update=True)
        session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        user.password_hash = hash_password(password)
        user.sessions_valid_from = now
        session.execute(delete(SignInThrottle).where(SignInThrottle.account_key == account_key(user.email)))
        audit.record(session, "provider_user.password_reset", user, user_actor(user), {"reset": reset.id})
        notify.queue_email(
            session,
            to=user.email,
            template="provider_password_changed",
            reference=f"password-changed-{reset.id}",
        )
    return user
