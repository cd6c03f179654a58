"""What DWP tells the award calculation it paid direct, and what a later, lower award leaves.

An AP statement says, for one parent and assessment period (AP), what DWP paid their nurseries
directly, invoice by invoice, so the Universal Credit award does not pay the childcare costs
element to the parent as well. A correction is a new version, never an edit: a row is only ever
changed to stop being current (its correction made) and to record that it was sent.

An award difference is what DWP paid the AP's nurseries beyond the award's childcare element,
calculated after the payment: the parent's to settle with DWP, never taken back from a nursery.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, UUIDPrimaryKey


class ApStatement(UUIDPrimaryKey, Base):
    """One version of the childcare costs paid direct for a parent and AP.

    ``lines``: one per paid invoice, ``{"provider_id", "provider_name", "invoice_id",
    "invoice_number", "paid_pence"}``, what DWP paid the provider for it less the credit notes
    recovered since. The newest version is current (one per parent and AP: a partial unique
    index); older ones are kept as they were sent.
    """

    __tablename__ = "ap_statements"
    __table_args__ = (
        UniqueConstraint("parent_id", "ap_start", "version"),
        Index(
            "uq_ap_statements_one_current",
            "parent_id",
            "ap_start",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        # The sending job's queue: only statements not sent yet.
        Index(
            "ix_ap_statements_unsent",
            "made_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
        CheckConstraint("total_pence >= 0", name="total_not_negative"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("sent_at IS NULL OR receipt IS NOT NULL", name="sent_with_receipt"),
    )

    parent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"))
    claim_reference: Mapped[str] = mapped_column(String(40))
    ap_start: Mapped[date]
    ap_end: Mapped[date]
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(default=True)
    total_pence: Mapped[int]
    lines: Mapped[list[Any]]
    made_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    receipt: Mapped[str | None] = mapped_column(String(200))  # the claim system's

    @property
    def invoice_ids(self) -> set[uuid.UUID]:
        return {uuid.UUID(line["invoice_id"]) for line in self.lines}


class AwardDifference(UUIDPrimaryKey, Base):
    """The AP's award, calculated after DWP paid, allows less childcare than DWP paid: the
    difference is recorded against the parent. One per parent, AP and element value (the award
    recalculated to another value is measured again)."""

    __tablename__ = "award_differences"
    __table_args__ = (
        UniqueConstraint("parent_id", "ap_start", "element_pence"),
        CheckConstraint("element_pence >= 0", name="element_not_negative"),
        CheckConstraint("difference_pence > 0", name="difference_positive"),
        CheckConstraint("difference_pence = paid_pence - element_pence", name="difference_adds_up"),
    )

    parent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"), index=True)
    ap_start: Mapped[date]
    ap_end: Mapped[date]
    statement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ap_statements.id"))
    statement_version: Mapped[int]
    paid_pence: Mapped[int]
    element_pence: Mapped[int]
    difference_pence: Mapped[int]
    found_at: Mapped[datetime]
