"""Where the development identity provider keeps what every web process must see: its codes,
tokens, nonces and client-assertion ids, in the database (one row each, keyed by a hash).

With ``gunicorn -w 4`` the worker that issues a code is rarely the one that is asked to redeem
it, so nothing may live in one process's memory. Each operation is its own short transaction on
a session of its own, apart from the request's. A code is *taken* (read and deleted in one
transaction), so it is redeemed at most once however many workers are asked at the same time.
Its signing key needs no row: it is derived from ``SECRET_KEY`` (``dev_signing_key``).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey
from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from config.database import Base, UUIDPrimaryKey, utcnow

# The order of the P-256 group: a derived private value must lie in [1, n - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class DevIdentityRecord(UUIDPrimaryKey, Base):
    """A code, token, nonce or assertion id the development provider issued or saw."""

    __tablename__ = "dev_identity_records"

    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict[str, Any]]
    expires_at: Mapped[datetime] = mapped_column(index=True)


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


class SharedStore:
    """The provider's records, shared by every process that uses the same database."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def put(self, kind: str, value: str, payload: dict[str, Any], lifetime: timedelta) -> bool:
        """Keep ``payload`` under (kind, value) until it expires; False if it is already there."""
        now = utcnow()
        with self.factory() as session:
            session.execute(delete(DevIdentityRecord).where(DevIdentityRecord.expires_at <= now))
            row = DevIdentityRecord(key_hash=_key(kind, value), payload=payload, expires_at=now + lifetime)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
        return True

    def get(self, kind: str, value: str) -> dict[str, Any] | None:
        with self.factory() as session:
            row = session.scalars(
                select(DevIdentityRecord).where(
                    DevIdentityRecord.key_hash == _key(kind, value), DevIdentityRecord.expires_at > utcnow()
                )
            ).one_or_none()
            return dict(row.payload) if row is not None else None

    def take(self, kind: str, value: str) -> dict[str, Any] | None:
        """The payload, removed in the same transaction: only one caller ever gets it."""
        key = _key(kind, value)
        with self.factory() as session:
            row = session.scalars(
                select(DevIdentityRecord).where(DevIdentityRecord.key_hash == key)
            ).one_or_none()
            if row is None:
                return None
            payload, expires_at = dict(row.payload), row.expires_at
            taken = session.execute(delete(DevIdentityRecord).where(DevIdentityRecord.key_hash == key))
            session.commit()
        if taken.rowcount != 1 or expires_at <= utcnow():  # type: ignore[attr-defined]
            return None  # another process took it first, or it had expired
        return payload


def dev_signing_key(secret_key: str) -> ECKey:
    """The provider's ES256 key, the same in every process: derived from the app's secret key."""
    digest = hmac.new(secret_key.encode(), b"dev-identity-signing-key", hashlib.sha512).digest()
    private = ec.derive_private_key(int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = ECKey.import_key(pem).as_dict(private=False)
    kid = hashlib.sha256(f"{public['x']}{public['y']}".encode()).hexdigest()[:16]
    return ECKey.import_key(pem, parameters={"kid": kid, "use": "sig"})
