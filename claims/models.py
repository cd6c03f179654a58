"""The development claim system's own tables: what DWP's claim system would hold, set on the
development page (``/dev/claims``) and seeded with the demo data. Production reads DWP's claim
system over HTTP (``claims.http``) and never these tables.

A claim's facts hold for every AP unless a period row says otherwise for one AP (an award
calculated for that AP, a month out of work).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, UUIDPrimaryKey, utcnow


class DevClaim(UUIDPrimaryKey, Base):
    __tablename__ = "dev_claims"
    __table_args__ = (CheckConstraint("earnings_pence >= 0", name="earnings_not_negative"),)

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    situation: Mapped[str] = mapped_column(String(200), default="")  # what the demo claim shows
    claim_start_date: Mapped[date]
    joint: Mapped[bool] = mapped_column(default=False)
    ended_on: Mapped[date | None]
    work_condition_met: Mapped[bool] = mapped_column(default=True)
    earnings_pence: Mapped[int] = mapped_column(default=0)
    # The award's childcare costs element after deductions, once calculated (None: not yet).
    childcare_element_pence: Mapped[int | None]

    children: Mapped[list[DevClaimChild]] = relationship(order_by="DevClaimChild.date_of_birth")
    periods: Mapped[list[DevClaimPeriod]] = relationship(order_by="DevClaimPeriod.ap_start")


class DevClaimPeriod(UUIDPrimaryKey, Base):
    """One AP's facts where they differ from the claim's."""

    __tablename__ = "dev_claim_periods"
    __table_args__ = (UniqueConstraint("reference", "ap_start"),)

    reference: Mapped[str] = mapped_column(ForeignKey("dev_claims.reference"), index=True)
    ap_start: Mapped[date]
    work_condition_met: Mapped[bool | None]
    earnings_pence: Mapped[int | None]
    childcare_element_pence: Mapped[int | None]


class DevClaimChild(UUIDPrimaryKey, Base):
    __tablename__ = "dev_claim_children"

    reference: Mapped[str] = mapped_column(ForeignKey("dev_claims.reference"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    childcare_costs: Mapped[bool] = mapped_column(default=True)


class DevClaimStatement(Base):
    """A statement of childcare costs paid direct, as the development claim system received it."""

    __tablename__ = "dev_claim_statements"

    statement_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), index=True)
    ap_start: Mapped[date]
    version: Mapped[int]
    total_pence: Mapped[int]
    body: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
