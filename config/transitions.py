"""Every state change of every life cycle is recorded here, for one object or for many rows.

A ``Machine`` is one life cycle (invoice, payment batch, payment, consent, provider): its
whitelist of moves, the audit action each move is recorded as, and which moves nursery software
hears about (the webhook event and what it carries). ``move`` changes one loaded object;
``move_rows`` records moves that a bulk path writes as rows (a batch's 100,000 invoices), with
exactly the same whitelist check, audit events and webhooks. Nothing else writes a state.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor
from config.errors import InvalidTransition

# (provider id, event type, data): what a webhook queue is given.
Event = tuple[uuid.UUID, str, dict[str, Any]]
Queue = Callable[[Session, Sequence[Event]], object]


def human(state: StrEnum) -> str:
    return state.value.replace("_", " ")


@dataclass(frozen=True)
class Machine:
    """One life cycle.

    ``events`` maps a target state to the webhook event a move into it sends (unless the move
    comes from one of ``quiet_from``); ``payload`` gives the event's data from the object (or
    row) moved. ``actions`` names the audit action of a move where it is not ``<name>.<target>``.
    """

    name: str
    noun: str
    table: str
    allowed: Mapping[Any, frozenset[Any]]
    states: type[StrEnum]
    actions: Mapping[Any, str] = field(default_factory=dict)
    events: Mapping[Any, str] = field(default_factory=dict)
    quiet_from: frozenset[Any] = frozenset()
    payload: Callable[[Any, StrEnum], dict[str, Any]] | None = None
    queue: Queue | None = None

    def check(self, current: StrEnum, target: StrEnum) -> None:
        if target not in self.allowed.get(current, frozenset()):
            article = "An" if self.noun[0] in "aeiou" else "A"
            raise InvalidTransition(
                f"{article} {self.noun} that is {human(current)} cannot become {human(target)}"
            )

    def action(self, target: StrEnum) -> str:
        return self.actions.get(target, f"{self.name}.{target.value}")

    def event(self, was: StrEnum, target: StrEnum) -> str | None:
        """The webhook event a move sends, if any."""
        if was in self.quiet_from:
            return None
        return self.events.get(target)

    def announce(
        self, session: Session, moved: Iterable[tuple[Any, StrEnum, uuid.UUID | None]], target: StrEnum
    ) -> None:
        """Queue the webhooks for ``(object or row, was, provider id)`` moved into ``target``."""
        events = [
            (provider_id, event, self.payload(item, target))  # type: ignore[misc]
            for item, was, provider_id in moved
            if provider_id is not None and (event := self.event(was, target)) is not None
        ]
        if events and self.queue is not None:
            self.queue(session, events)


MACHINES: dict[str, Machine] = {}


def machine(**definition: Any) -> Machine:
    """Define a life cycle and register it (the coverage test walks every one registered)."""
    defined = Machine(**definition)
    MACHINES[defined.name] = defined
    return defined


def move(
    session: Session, machine: Machine, entity: Any, target: StrEnum, actor: Actor, **data: object
) -> StrEnum:
    """Move one loaded object to ``target``: whitelist, audit event and webhook. Returns the old state.

    Call inside the use case's transaction."""
    was: StrEnum = entity.status
    machine.check(was, target)
    entity.status = target
    audit.record(session, machine.action(target), entity, actor, {"from": was.value, **data})
    provider_id = getattr(entity, "provider_id", None)
    machine.announce(session, [(entity, was, provider_id)], target)
    return was


@dataclass(frozen=True, slots=True)
class Moved:
    """One row a bulk path moves: its id, the state it was read in, its provider, the values its
    webhook names (``fields``) and what else its audit event records (``data``, plain JSON)."""

    id: uuid.UUID
    was: StrEnum
    provider_id: uuid.UUID | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        fields = object.__getattribute__(self, "fields") if name != "fields" else {}
        try:
            return fields[name]
        except KeyError:
            raise AttributeError(name) from None


def move_rows(
    session: Session, machine: Machine, target: StrEnum, actor: Actor, rows: Sequence[Moved]
) -> None:
    """Record rows that the caller writes into ``target`` in bulk: each move is checked against the
    whitelist first (nothing is recorded if any is refused), then audited and announced as
    ``move`` would for one object. Call before the bulk write, in the same transaction."""
    for was in {row.was for row in rows}:
        machine.check(was, target)
    audit.record_many(
        session,
        machine.action(target),
        machine.table,
        actor,
        ((row.id, {"from": row.was.value, **row.data}) for row in rows),
    )
    machine.announce(session, ((row, row.was, row.provider_id) for row in rows), target)
