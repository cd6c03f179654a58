"""What reconciliation keeps: breaks between our records and the rail's, and Stripe's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, UUIDPrimaryKey


class ReconciliationBreak(UUIDPrimaryKey, Base):
    """A payment whose rail record disagrees with ours: a person must look at it.

    At most one open break per payment and kind; it shows its age in the finance queue until it is
    resolved with an outcome: matched by hand (the payment was paid after all), or, proposed by one
    finance officer and confirmed by another, written off (DWP accepts the difference: paid) or sent
    again (failed: its invoices go into the next batch). A break resolved once does not reopen
    unless the rail's record changes.
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
        CheckConstraint(
            "outcome IS NULL OR (proposed_by_id IS NOT NULL AND resolved_by_id <> proposed_by_id)",
            name="second_person_settles",
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
    outcome: Mapped[str | None] = mapped_column(String(20))  # matched, written_off, sent_again
    proposed_outcome: Mapped[str | None] = mapped_column(String(20))
    proposed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    proposed_at: Mapped[datetime | None]


class ReturnsImportStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class BacsReturnsImport(UUIDPrimaryKey, Base):
    """A bank's returns file, every line matched to a Bacs payment sent: it changes nothing until a
    second finance officer confirms it (a check constraint), then its payments are returned; its
    importer may set it aside."""

    __tablename__ = "bacs_returns_imports"
    __table_args__ = (
        CheckConstraint(
            "status <> 'confirmed' OR (decided_by_id IS NOT NULL AND decided_by_id <> imported_by_id)",
            name="confirmed_by_someone_else",
        ),
    )

    imported_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"))
    imported_at: Mapped[datetime]
    filename: Mapped[str] = mapped_column(String(200))
    # Each matched line: {"line", "payment_id", "reference", "amount_pence", "reason"}.
    lines: Mapped[list[Any]]
    status: Mapped[ReturnsImportStatus] = mapped_column(default=ReturnsImportStatus.PENDING)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    decided_at: Mapped[datetime | None]


class StripeEvent(UUIDPrimaryKey, Base):
    """A Stripe webhook event, recorded once by its id (Stripe delivers at least once)."""

    __tablename__ = "stripe_events"

    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]]
