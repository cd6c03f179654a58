"""A new API client secret, shown once on the page after the form (post, redirect, get).

The form's answer is a redirect, so reloading the page that shows the secret never makes a
second client or a second secret. Between the two requests the secret is split in two halves,
neither of any use alone: a random pad of the same length in the admin's session, and the secret
XORed with it in ``provider_secret_reveals``. Showing it deletes the row, so a second reload (or
an old copy of the session cookie) shows nothing.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor
from config.database import transaction, utcnow
from providers.models import ApiClient
from providers.security_models import SecretReveal

SHOWN_FOR = timedelta(minutes=10)


@dataclass(frozen=True)
class Pad:
    """The session's half: which reveal, and the pad that opens it."""

    reveal_id: uuid.UUID
    pad: str  # hex

    def as_session(self) -> dict[str, str]:
        return {"reveal": str(self.reveal_id), "pad": self.pad}

    @classmethod
    def from_session(cls, value: object) -> Pad | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(uuid.UUID(str(value["reveal"])), str(value["pad"]))
        except (KeyError, ValueError):
            return None


def _xor(data: bytes, pad: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, pad, strict=True))


def seal(session: Session, actor: Actor, client: ApiClient, secret: str) -> Pad:
    """Keep ``secret`` until the next page shows it; returns the half for the session. Forgets
    reveals that were never shown in time, while it is here."""
    data = secret.encode()
    pad = secrets.token_bytes(len(data))
    now = utcnow()
    with transaction(session):
        session.execute(delete(SecretReveal).where(SecretReveal.expires_at <= now))
        reveal = SecretReveal(
            id=uuid.uuid4(),
            api_client_id=client.id,
            shown_to_id=actor.id,
            sealed=_xor(data, pad).hex(),
            created_at=now,
            expires_at=now + SHOWN_FOR,
        )
        session.add(reveal)
    return Pad(reveal.id, pad.hex())


def reveal_once(session: Session, actor: Actor, client_id: uuid.UUID, pad: Pad | None) -> str | None:
    """The secret, this once, for the admin whose session holds the pad; ``None`` if it was shown
    already, has expired, or belongs to another client or person. Showing it is audited."""
    if pad is None:
        return None
    with transaction(session):
        reveal = session.get(SecretReveal, pad.reveal_id, with_for_update=True)
        if (
            reveal is None
            or reveal.api_client_id != client_id
            or reveal.shown_to_id != actor.id
            or reveal.expires_at <= utcnow()
        ):
            return None
        try:
            secret = _xor(bytes.fromhex(reveal.sealed), bytes.fromhex(pad.pad)).decode()
        except ValueError:
            return None
        client = session.get_one(ApiClient, client_id)
        session.delete(reveal)
        audit.record(session, "api_client.secret_shown", client, actor, {"client_id": client.client_id})
    return secret
