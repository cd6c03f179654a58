"""Idempotency-Key for the API's POSTs that create: the same key and body get the first answer.

A creating use case takes an optional ``Idempotency``. Inside its own transaction it asks
``earlier`` for the resource the key already made (refusing the key if it came with another
request: 409 ``idempotency_key_reused``) and, having made the resource, ``remember``s the key in
the same transaction, so a crash never leaves a key without its resource or a resource without
its key. Two simultaneous requests with one key meet at the unique constraint: ``once`` answers
the loser with what the winner made.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from config.database import utcnow
from config.errors import ConcurrentChange, DomainError
from providers import repository
from providers.models import IdempotencyKey

T = TypeVar("T")

# The name a broken unique constraint on the keys mentions (``transaction``'s conflicts).
CONFLICT = "idempotency_keys"


@dataclass(frozen=True)
class Idempotency:
    """An API client's Idempotency-Key, the endpoint it was sent to and a hash of the request."""

    api_client_id: uuid.UUID
    key: str
    request_hash: str
    endpoint: str = "invoices.create"

    @classmethod
    def of(
        cls, api_client_id: uuid.UUID, key: str, body: Any, endpoint: str = "invoices.create"
    ) -> Idempotency:
        """The key with a hash of the request's JSON body, key order and spacing aside. Put what
        the path names (the invoice a credit note is for, say) into ``body``."""
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return cls(api_client_id, key, hashlib.sha256(canonical.encode()).hexdigest(), endpoint)


class IdempotencyKeyReused(DomainError):
    status = 409
    code = "idempotency_key_reused"
    title = "Idempotency-Key already used"


def earlier(session: Session, idempotency: Idempotency | None) -> uuid.UUID | None:
    """The id of what this key made before, or ``None`` if it is new (or there is no key)."""
    if idempotency is None:
        return None
    found = repository.find_idempotency_key(session, idempotency.api_client_id, idempotency.key)
    if found is None:
        return None
    if found.request_hash != idempotency.request_hash or found.endpoint != idempotency.endpoint:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request")
    return found.resource_id


def remember(session: Session, idempotency: Idempotency | None, resource_id: uuid.UUID) -> None:
    """Record the key against what it made, in the transaction that made it."""
    if idempotency is not None:
        session.add(
            IdempotencyKey(
                api_client_id=idempotency.api_client_id,
                key=idempotency.key,
                endpoint=idempotency.endpoint,
                request_hash=idempotency.request_hash,
                resource_id=resource_id,
                created_at=utcnow(),
            )
        )


def key_in_use() -> DomainError:
    return ConcurrentChange("Another request with this Idempotency-Key is being handled: try again")


def once(
    session: Session,
    idempotency: Idempotency,
    make: Callable[[], tuple[T, bool]],
    load: Callable[[uuid.UUID], T],
    *also: type[DomainError],
) -> tuple[T, bool]:
    """``make()`` (which answers ``(resource, replayed)``); if it lost a race with a simultaneous
    request carrying the same key and body (``ConcurrentChange``, or one of ``also``), answer what
    that request made, replayed."""
    lost_race: tuple[type[DomainError], ...] = (ConcurrentChange, *also)
    try:
        return make()
    except lost_race:
        found = repository.find_idempotency_key(session, idempotency.api_client_id, idempotency.key)
        if found is None or found.request_hash != idempotency.request_hash:
            raise
        session.rollback()
        return load(found.resource_id), True
