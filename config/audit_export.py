"""What auditors do with the audit log: verify it against the signed checkpoints on demand, and
export its events by date range and entity (CSV or JSON). Both are recorded in the log itself,
on the log's own timeline (entity ``audit_log``), each in one transaction: every download is
audited, with what was asked for and how many events it held.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, audit_checkpoints
from config.audit import AuditEvent
from config.auth import Actor, StaffRole
from config.database import transaction
from config.errors import FieldError, ValidationFailed, rule
from config.settings import Settings

LONDON = ZoneInfo("Europe/London")
LONGEST_RANGE = timedelta(days=366)
FORMATS = ("csv", "json")
COLUMNS = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "data",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class AuditLog:
    """The audit log as an entity of its own, so verifications and exports have a timeline."""

    id: uuid.UUID
    __tablename__ = "audit_log"


AUDIT_LOG = AuditLog(uuid.UUID("a0d17000-0000-4000-8000-000000000001"))


@dataclass(frozen=True)
class ExportRequest:
    start: date
    end: date
    entity_type: str = ""
    entity_id: str = ""
    format: str = "csv"


def check_request(wanted: ExportRequest) -> None:
    """The range runs forwards, is at most a year, and the entity id (if any) is an id."""
    errors = []
    if wanted.end < wanted.start:
        errors.append(FieldError("end", "The end date must be the same as or after the start date"))
    elif wanted.end - wanted.start > LONGEST_RANGE:
        errors.append(FieldError("end", "Export at most a year of events at a time"))
    if wanted.entity_id:
        try:
            uuid.UUID(wanted.entity_id)
        except ValueError:
            errors.append(
                FieldError("entity_id", "Enter the record's id in the correct format, like 1b9d6bcd-…")
            )
    if wanted.format not in FORMATS:
        errors.append(FieldError("format", "Select CSV or JSON"))
    if errors:
        raise ValidationFailed("The export is not valid", errors=errors)


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


def export_events(session: Session, actor: Actor, wanted: ExportRequest) -> list[dict[str, Any]]:
    """The events of the London days ``start`` to ``end`` (of one entity type and id, if given),
    oldest first, as plain values; the export is recorded before they are handed over."""
    actor.require_role(StaffRole.AUDITOR)
    check_request(wanted)
    statement = select(AuditEvent).where(
        AuditEvent.occurred_at >= _london_midnight(wanted.start),
        AuditEvent.occurred_at < _london_midnight(wanted.end + timedelta(days=1)),
    )
    if wanted.entity_type:
        statement = statement.where(AuditEvent.entity_type == wanted.entity_type)
    if wanted.entity_id:
        statement = statement.where(AuditEvent.entity_id == str(uuid.UUID(wanted.entity_id)))
    with transaction(session):
        rows = [_plain(event) for event in session.scalars(statement.order_by(AuditEvent.seq))]
        audit.record(
            session,
            "audit_log.exported",
            AUDIT_LOG,
            actor,
            {
                "start": wanted.start,
                "end": wanted.end,
                "entity_type": wanted.entity_type or None,
                "entity_id": wanted.entity_id or None,
                "format": wanted.format,
                "events": len(rows),
            },
        )
    return rows


def _plain(event: AuditEvent) -> dict[str, Any]:
    values = {name: getattr(event, name) for name in COLUMNS}
    values["occurred_at"] = event.occurred_at.isoformat()
    return values


def as_csv_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """One line per event; ``data`` as its JSON text."""
    return [
        [json.dumps(row[name], sort_keys=True) if name == "data" else row[name] for name in COLUMNS]
        for row in rows
    ]


def verify_now(session: Session, actor: Actor, settings: Settings) -> audit_checkpoints.Verification:
    """Verify the chain and compare it with every signed checkpoint; the result is recorded."""
    actor.require_role(StaffRole.AUDITOR)
    try:
        public = audit_checkpoints.signing_key(settings).public_key()
        loaded = audit_checkpoints.load_checkpoints(audit_checkpoints.checkpoint_dir(settings), public)
    except audit_checkpoints.CheckpointsUnavailable as error:
        raise rule("checkpoints_unavailable", "Checkpoints unavailable", str(error)) from error
    result = audit_checkpoints.verify_against_checkpoints(session, loaded)
    session.rollback()  # the reads' transaction ends; the record gets one of its own
    with transaction(session):
        audit.record(
            session,
            "audit_log.verified",
            AUDIT_LOG,
            actor,
            {
                "ok": result.ok,
                "events": result.chain.checked,
                "checkpoints": result.checkpoints,
                "problems": list(result.problems),
            },
        )
    return result


def entity_types(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)))


def latest(settings: Settings) -> tuple[audit_checkpoints.Checkpoint | None, int, str | None]:
    """The newest valid checkpoint, how many there are, or why none can be read."""
    try:
        public = audit_checkpoints.signing_key(settings).public_key()
        loaded = audit_checkpoints.load_checkpoints(audit_checkpoints.checkpoint_dir(settings), public)
    except audit_checkpoints.CheckpointsUnavailable as error:
        return None, 0, str(error)
    return (loaded.valid[-1] if loaded.valid else None), len(loaded.valid), None


def head_seq(session: Session) -> int:
    return int(session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1)) or 0)
