"""What reconciliation keeps: breaks between our records and the rail's, and Stripe's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, UUIDPrimaryKey


class ReconciliationBreak(UUIDPrimaryKey, Base):
    """A payment whose rail record disagrees with ours: a person must look at it.

    At most one open break per payment and kind; it shows its age in the finance queue until
    someone resolves it with a note.
    """

    __tablename__ = "reconciliation_breaks"
    __table_args__ = (
        Index(
            "uq_reconciliation_breaks_one_open",
            "payment_id",
            "kind",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # missing_at_rail, amount, currency, destination
    expected: Mapped[dict[str, Any]]
    actual: Mapped[dict[str, Any]]
    opened_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    resolution_note: Mapped[str | None] = mapped_column(String(1000))


class StripeEvent(UUIDPrimaryKey, Base):
    """A Stripe webhook event, recorded once by its id (Stripe delivers at least once)."""

    __tablename__ = "stripe_events"

    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
