"""Invoicing's use cases, a module for each family; everything is re-exported here, so
``from invoicing import service`` then ``service.submit_invoice(...)`` works.

| module | use cases |
|---|---|
| ``submission`` | a provider prices, sends or cancels an invoice (``uploads``: from a spreadsheet) |
| ``confirmation`` | the parent confirms or disputes; reminders while they are silent |
| ``review`` | automatic checks; a caseworker approves, holds or rejects |
| ``batches`` | a finance officer (or the daily job) builds a payment batch |
| ``approval`` | a second person approves it; cancelling; handing it to the rails |
| ``sending`` | the rails' jobs: Stripe transfers, lost answers, the Bacs file |
| ``payment_outcomes`` | what became of each payment (sent, paid, failed, returned) |
| ``reconciliation`` | our payments checked against the rails' records; breaks; Bacs returns |
| ``credit_notes`` | after payment, an overpayment taken off the next payment |

Each public function is one use case and one transaction: it checks who is acting and what the
rules allow, makes the change through ``transitions`` (whitelist, audit event, webhook), and
commits once. A ``DomainError`` means nothing was changed.
"""

from invoicing.service.approval import (
    BatchTampered,
    approve_batch,
    cancel_batch,
    content_hash,
    payee_problem,
    request_batch_approval,
    submit_batch,
    verify_frozen,
)
from invoicing.service.batches import build_batch, payment_reference
from invoicing.service.common import today_in_london
from invoicing.service.confirmation import confirm_invoice, dispute_invoice, remind_unconfirmed
from invoicing.service.credit_notes import issue_credit_note, issue_credit_note_once
from invoicing.service.payment_outcomes import (
    mark_payment_sent,
    record_payment_failed,
    record_payment_paid,
    record_payment_sent,
    record_payment_unknown,
    record_payments_paid,
)
from invoicing.service.review import approve_invoice, hold_invoice, reject_invoice, run_automatic_checks
from invoicing.service.submission import (
    InvoiceInput,
    LineInput,
    Preview,
    cancel_invoice,
    check_invoice_shape,
    preview_invoice,
    submit_invoice,
    submit_invoice_once,
)

__all__ = [
    "BatchTampered",
    "InvoiceInput",
    "LineInput",
    "Preview",
    "approve_batch",
    "approve_invoice",
    "build_batch",
    "cancel_batch",
    "cancel_invoice",
    "check_invoice_shape",
    "confirm_invoice",
    "content_hash",
    "dispute_invoice",
    "hold_invoice",
    "issue_credit_note",
    "issue_credit_note_once",
    "mark_payment_sent",
    "payee_problem",
    "payment_reference",
    "preview_invoice",
    "record_payment_failed",
    "record_payment_paid",
    "record_payment_sent",
    "record_payment_unknown",
    "record_payments_paid",
    "reject_invoice",
    "remind_unconfirmed",
    "request_batch_approval",
    "run_automatic_checks",
    "submit_batch",
    "submit_invoice",
    "submit_invoice_once",
    "today_in_london",
    "verify_frozen",
]
