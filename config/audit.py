"""The audit log: append-only and hash-chained, written in the transaction it records.

Services call ``record(session, ...)`` beside each change. The events are written just before the
session commits (so the chain lock is held for as short a time as possible), each with the next
sequence number and ``hash = sha256(prev_hash + canonical JSON of its content)``. Sequence numbers
are unique, so two writers can never fork the chain (both would take the same next number); on
PostgreSQL a transaction advisory lock makes them wait their turn instead of failing, and a trigger
(on both databases) refuses UPDATE and DELETE on the table. The hashes need no index of their own:
nothing looks an event up by its hash, and ``verify_chain`` walks the events in order.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, event, inspect, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from config.auth import Actor
from config.database import Base, UUIDPrimaryKey, insert_many, utcnow

GENESIS_HASH = "0" * 64
# Arbitrary constant naming the chain's lock among PostgreSQL advisory locks.
AUDIT_CHAIN_LOCK = 0x43434144  # "CCAD"
_PENDING = "audit_pending"


class AuditEvent(UUIDPrimaryKey, Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime]
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    data: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def content(self) -> dict[str, Any]:
        return hashed_content({name: getattr(self, name) for name in CONTENT_FIELDS})


# What an event's hash covers, in one place for writing the chain and for verifying it.
CONTENT_FIELDS = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "data",
)


def hashed_content(values: dict[str, Any]) -> dict[str, Any]:
    content = {name: values[name] for name in CONTENT_FIELDS}
    content["occurred_at"] = content["occurred_at"].isoformat()
    return content


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


@dataclass
class _Pending:
    action: str
    entity: Any
    entity_type: str
    actor: Actor
    data: dict[str, Any]
    occurred_at: datetime
    entity_id: Any = None  # known when recorded (our ids are made in Python), else read at commit


def record(
    session: Session,
    action: str,
    entity: Any,
    actor: Actor,
    data: dict[str, Any] | None = None,
) -> None:
    """Queue an audit event for ``entity`` (a model with an ``id``); written at commit."""
    plain = json.loads(json.dumps(data or {}, default=str))
    session.info.setdefault(_PENDING, []).append(
        _Pending(action, entity, entity.__tablename__, actor, plain, utcnow(), _known_id(entity))
    )


def record_many(
    session: Session,
    action: str,
    entity_type: str,
    actor: Actor,
    items: Iterable[tuple[uuid.UUID, dict[str, Any]]],
) -> None:
    """``record`` for many entities of one table at once (a batch's 100,000 invoices): each item is
    an entity id and its event's data, already plain JSON values (strings, numbers, lists, dicts)."""
    occurred_at = utcnow()
    session.info.setdefault(_PENDING, []).extend(
        _Pending(action, None, entity_type, actor, data, occurred_at, entity_id) for entity_id, data in items
    )


def _known_id(entity: Any) -> Any:
    """The entity's id without loading anything (an expired object would cost a query each)."""
    state = inspect(entity, raiseerr=False)
    if state is not None:
        return state.dict.get("id") or (state.identity[0] if state.identity else None)
    return getattr(entity, "id", None)


def discard_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_commit")
def _append_pending_events(session: Session) -> None:
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # entity ids are assigned at flush
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    rows: list[dict[str, Any]] = []
    for item in pending:
        seq += 1
        row = {
            "seq": seq,
            "occurred_at": item.occurred_at,
            "actor_kind": item.actor.kind.value,
            "actor_id": str(item.actor.id) if item.actor.id else None,
            "actor_label": item.actor.label,
            "action": item.action,
            "entity_type": item.entity_type,
            "entity_id": str(item.entity_id or item.entity.id),
            "data": item.data,
        }
        row.update(id=uuid.uuid4(), prev_hash=prev_hash, hash=chain_hash(prev_hash, hashed_content(row)))
        prev_hash = row["hash"]
        rows.append(row)
    # Plain rows in multi-row INSERTs: a batch of 100,000 invoices writes 100,000 events, and
    # building an ORM object for each cost more than everything else the batch does.
    insert_many(session, AuditEvent, rows)


@event.listens_for(Session, "after_rollback")
def _forget_pending_events(session: Session) -> None:
    discard_pending(session)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    broken_id: uuid.UUID | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order; report the first event whose link or content does not hold."""
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000))
    try:
        return _walk(rows)
    finally:
        rows.close()  # a streamed result left open would hold a server-side cursor


def _walk(rows: Iterable[AuditEvent]) -> ChainReport:
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for audit_event in rows:
        if audit_event.seq != expected_seq:
            return ChainReport(checked, expected_seq, None, f"event {expected_seq} is missing")
        if audit_event.prev_hash != expected_prev:
            return ChainReport(
                checked, audit_event.seq, audit_event.id, "does not link to the event before it"
            )
        if chain_hash(audit_event.prev_hash, audit_event.content()) != audit_event.hash:
            return ChainReport(checked, audit_event.seq, audit_event.id, "content does not match its hash")
        expected_prev, expected_seq = audit_event.hash, expected_seq + 1
        checked += 1
    return ChainReport(checked)


def events_for(session: Session, entity_type: str, entity_id: uuid.UUID) -> list[AuditEvent]:
    """An entity's timeline, oldest first."""
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.seq)
        )
    )
