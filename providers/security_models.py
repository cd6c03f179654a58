"""What protects nursery staff's sign-in: throttles on failed attempts, password-reset links and
recovery codes. Secrets are never stored: only keyed or plain SHA-256 hashes of them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, UUIDPrimaryKey, utcnow


class SignInThrottle(UUIDPrimaryKey, Base):
    """Failed sign-ins for one account name from one address (both keyed hashes).

    A stranger's failures lock only their own address out of the account, with a wait that
    grows with each further failure; the owner, elsewhere, signs in as usual. Unknown account
    names are throttled the same way, so the answers never tell which accounts exist.
    """

    __tablename__ = "provider_sign_in_throttles"
    __table_args__ = (UniqueConstraint("account_key", "address_key"),)

    account_key: Mapped[str] = mapped_column(String(64), index=True)
    address_key: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the owner was emailed about this lock-out (once per lock-out, not per attempt).
    owner_told_at: Mapped[datetime | None]


class PasswordReset(UUIDPrimaryKey, Base):
    """An emailed link to set a new password: works once, for an hour; only its hash is kept."""

    __tablename__ = "provider_password_resets"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RecoveryCode(UUIDPrimaryKey, Base):
    """One of a user's recovery codes for when their authenticator is lost: each works once."""

    __tablename__ = "provider_recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None]


class SecretReveal(UUIDPrimaryKey, Base):
    """A new API client secret waiting to be shown once, on the page after the form (post,
    redirect, get), so reloading that page never makes a second client.

    Neither half is the secret: this row keeps it XORed with a random pad of the same length,
    and the pad is in the session of the admin who made it. The row is deleted when it is shown,
    so the page shows the secret once only, and an unshown one is forgotten at ``expires_at``.
    """

    __tablename__ = "provider_secret_reveals"

    api_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"), index=True)
    shown_to_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_users.id"))
    sealed: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
