"""Invoices and their lines, credit notes after payment, and spreadsheet uploads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, Timestamps, UUIDPrimaryKey


class InvoiceStatus(StrEnum):
    SUBMITTED = "submitted"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    APPROVED = "approved"
    ON_HOLD = "on_hold"
    REJECTED = "rejected"
    BATCHED = "batched"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    # The parent's monthly maximum was already used when it came to be paid: DWP pays nothing,
    # the parent owes the provider the whole amount. It is never a payment line.
    NOTHING_TO_PAY = "nothing_to_pay"
    CANCELLED = "cancelled"


# Invoices DWP will never pay: their shares no longer stand, so no page, total or export shows
# them as money DWP pays or the parent owes through the service.
WITHDRAWN = frozenset({InvoiceStatus.REJECTED, InvoiceStatus.CANCELLED})


_S = InvoiceStatus
INVOICE_TRANSITIONS = {
    _S.SUBMITTED: frozenset({_S.AWAITING_CONFIRMATION, _S.CANCELLED}),
    _S.AWAITING_CONFIRMATION: frozenset({_S.CONFIRMED, _S.DISPUTED, _S.CANCELLED}),
    _S.CONFIRMED: frozenset({_S.APPROVED, _S.ON_HOLD, _S.REJECTED, _S.CANCELLED}),
    # A caseworker settles a dispute: the provider was right (approved) or not (rejected).
    _S.DISPUTED: frozenset({_S.APPROVED, _S.ON_HOLD, _S.REJECTED, _S.CANCELLED}),
    _S.ON_HOLD: frozenset({_S.APPROVED, _S.REJECTED, _S.CANCELLED}),
    _S.APPROVED: frozenset({_S.BATCHED, _S.NOTHING_TO_PAY, _S.ON_HOLD, _S.CANCELLED}),
    # Back to approved when its batch is cancelled before any money moved.
    _S.BATCHED: frozenset({_S.PAID, _S.PAYMENT_FAILED, _S.APPROVED}),
    # A payment the bank returns after it was paid fails the invoice too.
    _S.PAID: frozenset({_S.PAYMENT_FAILED}),
    _S.PAYMENT_FAILED: frozenset({_S.APPROVED}),
}

# Invoices that use up the parent's monthly cap in the assessment period they count in.
CAP_USING_STATES = (
    _S.SUBMITTED,
    _S.AWAITING_CONFIRMATION,
    _S.CONFIRMED,
    _S.DISPUTED,
    _S.ON_HOLD,
    _S.APPROVED,
    _S.BATCHED,
    _S.PAID,
    _S.PAYMENT_FAILED,
    _S.NOTHING_TO_PAY,  # still childcare costs of the child in the AP, for the two-children rate
)
# What a batch has decided (frozen): the cap already used when the next batch shares it out.
FROZEN_STATES = (_S.BATCHED, _S.PAID, _S.NOTHING_TO_PAY)
# Waiting for a caseworker's decision: the review queue, which has its own partial index (the
# predicate is SQL text so that the index and the queue's query say exactly the same thing).
REVIEW_PREDICATE = "status IN ('on_hold', 'disputed')"
IN_FLIGHT_STATES = (
    _S.SUBMITTED,
    _S.AWAITING_CONFIRMATION,
    _S.CONFIRMED,
    _S.DISPUTED,
    _S.ON_HOLD,
    _S.APPROVED,
    _S.PAYMENT_FAILED,
)
IN_FLIGHT_PREDICATE = "status IN ({})".format(", ".join(f"'{state.value}'" for state in IN_FLIGHT_STATES))
CANCELLABLE_STATES = frozenset(s for s, targets in INVOICE_TRANSITIONS.items() if _S.CANCELLED in targets)


class InvoiceFlag(StrEnum):
    """Anomalies that stop automatic approval and send an invoice to the review queue."""

    DUPLICATE = "duplicate"
    OVERLAPPING_CARE = "overlapping_care"
    OVER_CAP = "over_cap"
    IMPLAUSIBLE_HOURS = "implausible_hours"
    RECENT_BANK_CHANGE = "recent_bank_change"
    VOLUME_SPIKE = "volume_spike"
    CHILD_OVER_AGE_LIMIT = "child_over_age_limit"
    CARE_BEFORE_CLAIM = "care_before_claim"
    CARE_TOO_OLD = "care_too_old"
    CARE_TOO_EARLY = "care_too_early"
    ADVANCE_SPANS_PERIODS = "advance_spans_periods"
    DISPUTED = "disputed"
    # From the Universal Credit claim's facts (claims.rules): held for DWP to look at.
    CLAIM_NOT_LIVE = "claim_not_live"
    WORK_CONDITION_NOT_MET = "work_condition_not_met"
    AP_DATES_DIFFER = "ap_dates_differ"
    CLAIM_NOT_FOUND = "claim_not_found"


# The flags from the parent's claim: told to the parent, never to the nursery (their own business).
CLAIM_FLAGS = frozenset(
    {
        InvoiceFlag.CLAIM_NOT_LIVE,
        InvoiceFlag.WORK_CONDITION_NOT_MET,
        InvoiceFlag.AP_DATES_DIFFER,
        InvoiceFlag.CLAIM_NOT_FOUND,
    }
)


class Invoice(UUIDPrimaryKey, Timestamps, Base):
    """One child, one provider, one period of care. Immutable once submitted, but for its state."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("provider_id", "invoice_number"),
        CheckConstraint("care_from <= care_to", name="care_period_in_order"),
        CheckConstraint("total_pence >= 0", name="total_not_negative"),
        CheckConstraint(
            "eligible_pence >= 0 AND eligible_pence <= total_pence", name="eligible_within_total"
        ),
        CheckConstraint("dwp_pence >= 0 AND dwp_pence <= eligible_pence", name="dwp_within_eligible"),
        CheckConstraint("claimant_pence = total_pence - dwp_pence", name="parts_add_up"),
        Index("ix_invoices_parent_period", "parent_id", "ap_start"),
        Index("ix_invoices_provider_created", "provider_id", "created_at"),
        # The queues of invoices still on their way (checks, reminders, the batch builder), oldest
        # first: batched, paid and closed invoices (nearly all of them, in time) are left out, so
        # the index stays small and batching or paying an invoice writes one index fewer.
        Index(
            "ix_invoices_in_flight",
            "status",
            "created_at",
            postgresql_where=text(IN_FLIGHT_PREDICATE),
            sqlite_where=text(IN_FLIGHT_PREDICATE),
        ),
        # The review queue, oldest change first: only the invoices waiting for a caseworker.
        Index(
            "ix_invoices_review_queue",
            "updated_at",
            "id",
            postgresql_where=text(REVIEW_PREDICATE),
            sqlite_where=text(REVIEW_PREDICATE),
        ),
        Index("ix_invoices_child_care", "child_id", "care_from"),
    )

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consents.id"), index=True)
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    parent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"))
    invoice_number: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[date]
    care_from: Mapped[date]
    care_to: Mapped[date]
    status: Mapped[InvoiceStatus] = mapped_column(default=InvoiceStatus.SUBMITTED)
    total_pence: Mapped[int]
    eligible_pence: Mapped[int]
    dwp_pence: Mapped[int]
    claimant_pence: Mapped[int]
    # DWP's share is less than 85% within the monthly maximum because the UC award's childcare
    # element for the AP allows no more (the parent owes the rest): shown to the parent with why.
    award_limited: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The assessment period the cost counts in (re-decided and frozen when batched).
    ap_start: Mapped[date]
    ap_end: Mapped[date]
    flags: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(10), default="portal")
    confirmed_at: Mapped[datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(String(1000))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    # The caseworker's reason (its words reach the nursery and the parent) and their note (DWP's own).
    decision_reason_code: Mapped[str | None] = mapped_column(String(40))
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    # Reminders sent while waiting for the parent (3 and 7 days), and when it went to DWP (14 days).
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    escalated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def set_share(self, dwp_pence: int) -> None:
        self.dwp_pence = dwp_pence
        self.claimant_pence = self.total_pence - dwp_pence


class InvoiceLine(UUIDPrimaryKey, Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_not_negative"),
        UniqueConstraint("invoice_id", "position"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(200))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    amount_pence: Mapped[int]
    eligible: Mapped[bool]

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class CreditNote(UUIDPrimaryKey, Base):
    """A provider's correction after DWP paid an invoice: DWP paid too much by ``amount_pence``.

    The amount is taken off the provider's next payment (whole notes, oldest first); until then
    it is outstanding. If that payment is cancelled or fails, the note is outstanding again.
    """

    __tablename__ = "credit_notes"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        Index("ix_credit_notes_provider_outstanding", "provider_id", "payment_id"),
    )

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_pence: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"))


class UploadStatus(StrEnum):
    CHECKED = "checked"  # the dry run: nothing saved yet
    SUBMITTING = "submitting"
    DONE = "done"


class InvoiceUpload(UUIDPrimaryKey, Base):
    """A CSV file of invoices: checked first (a dry run), then submitted row by row in the background.

    ``invoices`` holds each good invoice as checked, ``problems`` each bad row (row, column,
    message). Submission is resumable: an invoice number already submitted is skipped, so a
    restart or a second upload of the same rows never makes a duplicate.
    """

    __tablename__ = "invoice_uploads"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    status: Mapped[UploadStatus] = mapped_column(default=UploadStatus.CHECKED)
    row_count: Mapped[int]
    invoices: Mapped[list[Any]]
    problems: Mapped[list[Any]]
    only_good_rows: Mapped[bool] = mapped_column(default=False)
    processed: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[list[Any]] = mapped_column(default=list)
    # Set as each chunk is done; a submission whose heartbeat stops is resumed by the scheduler.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
