"""Payment batches, their payments and allocations to invoices, and the Bacs files that carry them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from config.database import Base, Timestamps, UUIDPrimaryKey
from config.errors import SelfApprovalForbidden

if TYPE_CHECKING:
    from invoicing.models.invoices import Invoice


class BatchStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SUBMITTED = "submitted"
    SETTLED = "settled"
    PARTIALLY_FAILED = "partially_failed"
    # Changed after it was approved (its content hash no longer matches): nothing will be sent.
    STOPPED = "stopped"
    CANCELLED = "cancelled"


_B = BatchStatus
BATCH_TRANSITIONS = {
    _B.DRAFT: frozenset({_B.AWAITING_APPROVAL, _B.CANCELLED}),
    _B.AWAITING_APPROVAL: frozenset({_B.APPROVED, _B.CANCELLED}),
    _B.APPROVED: frozenset({_B.SUBMITTED, _B.STOPPED, _B.CANCELLED}),
    _B.STOPPED: frozenset({_B.CANCELLED}),
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
    # Two different approvers for a batch over the configured total or with a payment over the
    # configured amount (decided when it is built); a trigger refuses "approved" with fewer.
    approvals_required: Mapped[int] = mapped_column(default=1, server_default="1")
    version: Mapped[int] = mapped_column(default=1)

    payments: Mapped[list[Payment]] = relationship(back_populates="batch", order_by="Payment.provider_id")
    approvals: Mapped[list[BatchApproval]] = relationship(order_by="BatchApproval.approved_at")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def check_approver(self, by: uuid.UUID) -> None:
        """Four eyes: whoever built the batch can never approve it."""
        if self.built_by_id is not None and by == self.built_by_id:
            raise SelfApprovalForbidden(
                "A batch must be approved by someone other than the person who built it"
            )


class BatchApproval(UUIDPrimaryKey, Base):
    """One approver's approval of a batch, of exactly the content its hash names.

    Each approver once per batch, and never its builder (a unique and a check constraint)."""

    __tablename__ = "batch_approvals"
    __table_args__ = (
        UniqueConstraint("batch_id", "approver_id"),
        CheckConstraint("built_by_id IS NULL OR approver_id <> built_by_id", name="approver_did_not_build"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    approver_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_users.id"))
    built_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    content_hash: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime]


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
    # The provider's payee when the batch was built; a batch whose providers' payees changed
    # since cannot be approved or sent until it is built again.
    payee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payees.id"))
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


class BacsFile(UUIDPrimaryKey, Base):
    """A batch's Standard 18 file, made by an approver's deliberate step and kept as it was made.

    Its Bacs payments are sent only when the approver records the file as submitted to the bank.
    A file not yet submitted can be voided (its processing day passed, say) and another made;
    a batch has at most one file that is not voided. The VOL1 serial is unique across every file,
    and the UHL1 file number counts the files of one processing day from 1.
    """

    __tablename__ = "bacs_files"
    __table_args__ = (
        UniqueConstraint("serial"),
        UniqueConstraint("processing_day", "file_number"),
        Index(
            "uq_bacs_files_one_live_per_batch",
            "batch_id",
            unique=True,
            sqlite_where=text("voided_at IS NULL"),
            postgresql_where=text("voided_at IS NULL"),
        ),
        CheckConstraint("submitted_at IS NULL OR voided_at IS NULL", name="submitted_or_voided"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payment_batches.id"), index=True)
    serial: Mapped[int]
    file_number: Mapped[int] = mapped_column(default=1, server_default="1")
    created_on: Mapped[date]
    processing_day: Mapped[date]
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    made_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    made_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    voided_at: Mapped[datetime | None]
    voided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    void_reason: Mapped[str | None] = mapped_column(String(500))
