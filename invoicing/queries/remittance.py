"""Remittance advice: what one payment to a nursery is made of, so that it adds up.

Each invoice the payment pays is a line for what DWP pays for it; each credit note taken off the
payment is a line taken off (a negative amount); the lines add up to the payment's amount. The
nursery's page and its CSV both read this.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.models import Child
from invoicing.models import CreditNote, Invoice, Payment, PaymentAllocation, PaymentStatus


class LineKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@dataclass(frozen=True)
class RemittanceLine:
    kind: LineKind
    invoice_id: uuid.UUID
    invoice_number: str
    child_first_name: str
    child_last_name: str
    child_date_of_birth: date
    care_from: date
    care_to: date
    amount_pence: int  # taken off: negative
    reason: str = ""  # a credit note's reason, in the nursery's own words

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}"


@dataclass(frozen=True)
class RemittanceAdvice:
    payment: Payment
    lines: list[RemittanceLine]

    @property
    def invoices_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines if line.kind is LineKind.INVOICE)

    @property
    def credits_pence(self) -> int:
        """What the credit notes take off, as a positive amount."""
        return -sum(line.amount_pence for line in self.lines if line.kind is LineKind.CREDIT_NOTE)

    @property
    def total_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)

    @property
    def paid(self) -> bool:
        return self.payment.status is PaymentStatus.PAID and self.payment.paid_at is not None

    @property
    def paid_at(self) -> datetime | None:
        return self.payment.paid_at if self.paid else None


def remittance_advice(session: Session, payment: Payment) -> RemittanceAdvice:
    """The payment's invoices (by invoice number), then the credit notes it takes off (oldest first)."""
    invoices = session.execute(
        select(PaymentAllocation.amount_pence, Invoice, Child)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .join(Child, Child.id == Invoice.child_id)
        .where(PaymentAllocation.payment_id == payment.id)
        .order_by(Invoice.invoice_number)
    )
    credits = session.execute(
        select(CreditNote, Invoice, Child)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .join(Child, Child.id == Invoice.child_id)
        .where(CreditNote.payment_id == payment.id)
        .order_by(CreditNote.created_at, CreditNote.id)
    )
    lines = [_line(LineKind.INVOICE, amount, invoice, child) for amount, invoice, child in invoices]
    lines += [
        _line(LineKind.CREDIT_NOTE, -note.amount_pence, invoice, child, note.reason)
        for note, invoice, child in credits
    ]
    return RemittanceAdvice(payment, lines)


def _line(kind: LineKind, amount: int, invoice: Invoice, child: Child, reason: str = "") -> RemittanceLine:
    return RemittanceLine(
        kind,
        invoice.id,
        invoice.invoice_number,
        child.first_name,
        child.last_name,
        child.date_of_birth,
        invoice.care_from,
        invoice.care_to,
        amount,
        reason,
    )
