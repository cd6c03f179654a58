"""Invoices and their lines, payment batches, payments and their allocations to invoices."""

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
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, Timestamps, UUIDPrimaryKey
from config.errors import SelfApprovalForbidden
from config.states import move


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
    CANCELLED = "cancelled"


_S = InvoiceStatus
INVOICE_TRANSITIONS = {
    _S.SUBMITTED: frozenset({_S.AWAITING_CONFIRMATION, _S.CANCELLED}),
    _S.AWAITING_CONFIRMATION: frozenset({_S.CONFIRMED, _S.DISPUTED, _S.CANCELLED}),
    _S.CONFIRMED: frozenset({_S.APPROVED, _S.ON_HOLD, _S.REJECTED, _S.CANCELLED}),
    # A caseworker settles a dispute: the provider was right (approved) or not (rejected).
    _S.DISPUTED: frozenset({_S.APPROVED, _S.REJECTED, _S.CANCELLED}),
    _S.ON_HOLD: frozenset({_S.APPROVED, _S.REJECTED, _S.CANCELLED}),
    _S.APPROVED: frozenset({_S.BATCHED, _S.ON_HOLD, _S.CANCELLED}),
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
)
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
    # The assessment period the cost counts in (re-decided and frozen when batched).
    ap_start: Mapped[date]
    ap_end: Mapped[date]
    flags: Mapped[list[str]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(10), default="portal")
    confirmed_at: Mapped[datetime | None]
    dispute_reason: Mapped[str | None] = mapped_column(String(1000))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    decision_reason: Mapped[str | None] = mapped_column(String(1000))
    # Reminders sent while waiting for the parent (3 and 7 days), and when it went to DWP (14 days).
    reminders_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    escalated_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def move_to(self, target: InvoiceStatus) -> InvoiceStatus:
        return InvoiceStatus(move(self, target, INVOICE_TRANSITIONS, "invoice"))

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


class BatchStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    SETTLED = "settled"
    PARTIALLY_FAILED = "partially_failed"
    CANCELLED = "cancelled"


_B = BatchStatus
BATCH_TRANSITIONS = {
    _B.DRAFT: frozenset({_B.AWAITING_APPROVAL, _B.CANCELLED}),
    _B.AWAITING_APPROVAL: frozenset({_B.APPROVED, _B.CANCELLED}),
    _B.APPROVED: frozenset({_B.SUBMITTED, _B.CANCELLED}),
    _B.SUBMITTED: frozenset({_B.SETTLED, _B.PARTIALLY_FAILED}),
}


class PaymentBatch(UUIDPrimaryKey, Timestamps, Base):
    """Payments to providers approved together. Frozen once approved: its hash is re-checked."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        # Four eyes in the data too: whoever built a batch can never be its approver.
        CheckConstraint("approved_by_id <> built_by_id", name="approver_is_not_builder"),
        CheckConstraint("total_pence >= 0", name="total_not_negative"),
    )

    status: Mapped[BatchStatus] = mapped_column(default=BatchStatus.DRAFT)
    payment_date: Mapped[date]
    built_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    built_at: Mapped[datetime]
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    approved_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(1000))
    payment_count: Mapped[int] = mapped_column(default=0)
    invoice_count: Mapped[int] = mapped_column(default=0)
    total_pence: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    payments: Mapped[list[Payment]] = relationship(back_populates="batch", order_by="Payment.provider_id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def move_to(self, target: BatchStatus) -> BatchStatus:
        return BatchStatus(move(self, target, BATCH_TRANSITIONS, "payment batch"))

    def approve(self, by: uuid.UUID, at: datetime, content_hash: str) -> None:
        if self.built_by_id is not None and by == self.built_by_id:
            raise SelfApprovalForbidden(
                "A batch must be approved by someone other than the person who built it"
            )
        self.move_to(BatchStatus.APPROVED)
        self.approved_by_id, self.approved_at, self.content_hash = by, at, content_hash


class PaymentStatus(StrEnum):
    CREATED = "created"
    SENT = "sent"
    PAID = "paid"
    FAILED = "failed"
    RETURNED = "returned"
    # The rail did not answer: resolved from the rail's own records, never by guessing.
    UNKNOWN = "unknown"


_P = PaymentStatus
PAYMENT_TRANSITIONS = {
    _P.CREATED: frozenset({_P.SENT, _P.FAILED, _P.UNKNOWN}),
    _P.UNKNOWN: frozenset({_P.SENT, _P.PAID, _P.FAILED}),
    _P.SENT: frozenset({_P.PAID, _P.FAILED}),
    _P.PAID: frozenset({_P.RETURNED}),
}
SETTLED_PAYMENT_STATES = frozenset({_P.PAID, _P.FAILED, _P.RETURNED})


class Rail(StrEnum):
    STRIPE = "stripe"
    BACS = "bacs"


class Payment(UUIDPrimaryKey, Timestamps, Base):
    """One batch's payment to one provider; its destination is a snapshot taken when built."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("batch_id", "provider_id"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        Index("ix_payments_provider_created", "provider_id", "created_at"),
        Index("ix_payments_status", "status"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_batches.id"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    amount_pence: Mapped[int]
    status: Mapped[PaymentStatus] = mapped_column(default=PaymentStatus.CREATED)
    rail: Mapped[Rail]
    reference: Mapped[str] = mapped_column(String(18))
    destination_stripe_account: Mapped[str | None] = mapped_column(String(64))
    destination_sort_code: Mapped[str | None] = mapped_column(String(6))
    destination_account_number: Mapped[str | None] = mapped_column(String(8))
    destination_account_name: Mapped[str | None] = mapped_column(String(200))
    rail_reference: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(500))
    # Credit notes taken off this payment (what the invoices come to, less this, is what is sent).
    credit_pence: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    batch: Mapped[PaymentBatch] = relationship(back_populates="payments")
    allocations: Mapped[list[PaymentAllocation]] = relationship(
        back_populates="payment", order_by="PaymentAllocation.invoice_id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def move_to(self, target: PaymentStatus) -> PaymentStatus:
        return PaymentStatus(move(self, target, PAYMENT_TRANSITIONS, "payment"))


class PaymentAllocation(UUIDPrimaryKey, Base):
    """The part of a payment that pays one invoice (remittance advice).

    ``live`` stays true while the payment may still pay the invoice; a unique partial index on
    live allocations means an invoice is in at most one live payment, whatever races.
    """

    __tablename__ = "payment_allocations"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        Index(
            "uq_payment_allocations_one_live_per_invoice",
            "invoice_id",
            unique=True,
            sqlite_where=text("live"),
            postgresql_where=text("live"),
        ),
        UniqueConstraint("payment_id", "invoice_id"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"))
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    amount_pence: Mapped[int]
    live: Mapped[bool] = mapped_column(default=True)

    payment: Mapped[Payment] = relationship(back_populates="allocations")
    invoice: Mapped[Invoice] = relationship()


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


class BacsFile(UUIDPrimaryKey, Base):
    """The Standard 18 file for a batch's Bacs payments: made once, stored, and served again as it is.

    Downloading twice gives the same file (same serial), so a second download can never become a
    second submission with different contents.
    """

    __tablename__ = "bacs_files"
    __table_args__ = (UniqueConstraint("created_on", "serial"),)

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_batches.id"), unique=True)
    serial: Mapped[int]
    created_on: Mapped[date]
    processing_day: Mapped[date]
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    made_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    made_at: Mapped[datetime]
