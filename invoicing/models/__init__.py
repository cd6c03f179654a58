"""Invoicing's tables: invoices (``invoices``), payments (``payments``), reconciliation records
(``reconciliation``). Everything is re-exported here, so ``from invoicing.models import …`` works."""

from invoicing.models.invoices import (
    CANCELLABLE_STATES,
    CAP_USING_STATES,
    FROZEN_STATES,
    IN_FLIGHT_PREDICATE,
    IN_FLIGHT_STATES,
    INVOICE_TRANSITIONS,
    REVIEW_PREDICATE,
    CreditNote,
    Invoice,
    InvoiceFlag,
    InvoiceLine,
    InvoiceStatus,
    InvoiceUpload,
    UploadStatus,
)
from invoicing.models.payments import (
    BATCH_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    BacsFile,
    BatchStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
)
from invoicing.models.reconciliation import ReconciliationBreak, StripeEvent

__all__ = [
    "BATCH_TRANSITIONS",
    "CANCELLABLE_STATES",
    "CAP_USING_STATES",
    "FROZEN_STATES",
    "INVOICE_TRANSITIONS",
    "IN_FLIGHT_PREDICATE",
    "IN_FLIGHT_STATES",
    "PAYMENT_TRANSITIONS",
    "REVIEW_PREDICATE",
    "BacsFile",
    "BatchStatus",
    "CreditNote",
    "Invoice",
    "InvoiceFlag",
    "InvoiceLine",
    "InvoiceStatus",
    "InvoiceUpload",
    "Payment",
    "PaymentAllocation",
    "PaymentBatch",
    "PaymentStatus",
    "Rail",
    "ReconciliationBreak",
    "StripeEvent",
    "UploadStatus",
]
