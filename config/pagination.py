"""Cursor pages for the API: newest first, stable under inserts, the cursor opaque to clients."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from config.errors import FieldError, MalformedRequest


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps({"t": created_at.isoformat(), "i": str(row_id)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        return datetime.fromisoformat(data["t"]), uuid.UUID(data["i"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise MalformedRequest(
            "The cursor is not valid",
            errors=[FieldError("cursor", "Use the next_cursor of the previous page")],
        ) from exc


def page(
    session: Session,
    query: Select[Any],
    created_at: InstrumentedAttribute[datetime],
    row_id: InstrumentedAttribute[uuid.UUID],
    limit: int,
    cursor: str | None,
    *,
    oldest_first: bool = False,
) -> tuple[Sequence[Any], str | None]:
    """One page of ``query`` (newest first, or oldest) and the cursor of the next, or ``None`` at the end."""
    if cursor:
        key, after = tuple_(created_at, row_id), tuple_(*decode_cursor(cursor))
        query = query.where(key > after if oldest_first else key < after)
    order = (created_at, row_id) if oldest_first else (created_at.desc(), row_id.desc())
    rows = list(session.scalars(query.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(getattr(last, created_at.key), getattr(last, row_id.key))
