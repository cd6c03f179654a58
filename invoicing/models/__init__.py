"""Invoicing's tables: invoices (``invoices``), payments (``payments``), reconciliation records
(``reconciliation``), statements to the award calculation (``statements``). Everything is
re-exported here, so ``from invoicing.models import …`` works."""

from invoicing.models.drafts import InvoiceDraft
from invoicing.models.invoices import (
    CANCELLABLE_STATES,
    CAP_USING_STATES,
    CLAIM_FLAGS,
    FROZEN_STATES,
    IN_FLIGHT_PREDICATE,
    IN_FLIGHT_STATES,
    INVOICE_TRANSITIONS,
    REVIEW_PREDICATE,
    WITHDRAWN,
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
    BatchApproval,
    BatchStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
    PaymentStatus,
    Rail,
)
from invoicing.models.reconciliation import (
    BacsReturnsImport,
    ReconciliationBreak,
    ReturnsImportStatus,
    StripeEvent,
)
from invoicing.models.statements import ApStatement, AwardDifference

__all__ = [
    "BATCH_TRANSITIONS",
    "CANCELLABLE_STATES",
    "CAP_USING_STATES",
    "CLAIM_FLAGS",
    "FROZEN_STATES",
    "INVOICE_TRANSITIONS",
    "IN_FLIGHT_PREDICATE",
    "IN_FLIGHT_STATES",
    "PAYMENT_TRANSITIONS",
    "REVIEW_PREDICATE",
    "WITHDRAWN",
    "ApStatement",
    "AwardDifference",
    "BacsFile",
    "BacsReturnsImport",
    "BatchApproval",
    "BatchStatus",
    "CreditNote",
    "Invoice",
    "InvoiceDraft",
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
    "ReturnsImportStatus",
    "StripeEvent",
    "UploadStatus",
]
