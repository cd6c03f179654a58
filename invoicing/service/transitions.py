"""Invoicing's three life cycles, with what each move records and announces (``config.transitions``).

Every use case in this package moves an invoice, a batch or a payment through ``move`` here,
and every bulk path records its rows through ``move_rows``: one place says which moves send
which webhook, with what data, and what goes into each audit event.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from config import transitions
from config.auth import Actor
from config.transitions import Moved
from invoicing.models import (
    BATCH_TRANSITIONS,
    INVOICE_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    BatchStatus,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentBatch,
    PaymentStatus,
)
from providers import webhooks


def _invoice_payload(invoice: Any, target: StrEnum) -> dict[str, Any]:
    return {"invoice_id": invoice.id, "invoice_number": invoice.invoice_number, "status": target.value}


def _payment_payload(payment: Any, target: StrEnum) -> dict[str, Any]:
    return {"payment_id": payment.id, "amount_pence": payment.amount_pence, "status": target.value}


# Nursery software hears about the parent's answer and DWP's decision (API.md "Webhooks out"),
# but not about an invoice going back to approved when its batch is cancelled.
INVOICE = transitions.machine(
    name="invoice",
    noun="invoice",
    table=Invoice.__tablename__,
    allowed=INVOICE_TRANSITIONS,
    states=InvoiceStatus,
    events={
        InvoiceStatus.CONFIRMED: "invoice.confirmed",
        InvoiceStatus.DISPUTED: "invoice.disputed",
        InvoiceStatus.APPROVED: "invoice.approved",
        InvoiceStatus.REJECTED: "invoice.rejected",
    },
    quiet_from=frozenset({InvoiceStatus.BATCHED}),
    payload=_invoice_payload,
    queue=webhooks.queue_events,
)
BATCH = transitions.machine(
    name="batch",
    noun="payment batch",
    table=PaymentBatch.__tablename__,
    allowed=BATCH_TRANSITIONS,
    states=BatchStatus,
)
# A payment the rail did not answer for is not news: it is resolved from the rail's records.
PAYMENT = transitions.machine(
    name="payment",
    noun="payment",
    table=Payment.__tablename__,
    allowed=PAYMENT_TRANSITIONS,
    states=PaymentStatus,
    events={
        PaymentStatus.SENT: "payment.sent",
        PaymentStatus.PAID: "payment.paid",
        PaymentStatus.FAILED: "payment.failed",
        PaymentStatus.RETURNED: "payment.failed",
    },
    payload=_payment_payload,
    queue=webhooks.queue_events,
)


def move_invoice(
    session: Session, invoice: Invoice, target: InvoiceStatus, actor: Actor, **data: object
) -> None:
    transitions.move(session, INVOICE, invoice, target, actor, **data)


def move_batch(
    session: Session, batch: PaymentBatch, target: BatchStatus, actor: Actor, **data: object
) -> None:
    transitions.move(session, BATCH, batch, target, actor, **data)


def move_payment(
    session: Session, payment: Payment, target: PaymentStatus, actor: Actor, **data: object
) -> None:
    transitions.move(session, PAYMENT, payment, target, actor, **data)


__all__ = ["BATCH", "INVOICE", "PAYMENT", "Moved", "move_batch", "move_invoice", "move_payment"]
