"""The words for invoicing's states, timeline events and flags: one place for every page.

The nursery and the parent are told the same facts in their own words ("Waiting for the
parent" / "Waiting for you to confirm").
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from config import words
from config.errors import N_
from invoicing.models import BatchStatus, InvoiceStatus, PaymentStatus, Rail

NURSERY_STATUS = {
    InvoiceStatus.SUBMITTED: lazy_gettext("Sent"),
    InvoiceStatus.AWAITING_CONFIRMATION: lazy_gettext("Waiting for the parent"),
    InvoiceStatus.CONFIRMED: lazy_gettext("Confirmed by the parent"),
    InvoiceStatus.DISPUTED: lazy_gettext("Disputed by the parent"),
    InvoiceStatus.APPROVED: lazy_gettext("Approved for payment"),
    InvoiceStatus.ON_HOLD: lazy_gettext("DWP is checking it"),
    InvoiceStatus.REJECTED: lazy_gettext("Rejected by DWP"),
    InvoiceStatus.BATCHED: lazy_gettext("Being paid"),
    InvoiceStatus.PAID: lazy_gettext("Paid"),
    InvoiceStatus.PAYMENT_FAILED: lazy_gettext("Payment failed: DWP will pay again"),
    InvoiceStatus.NOTHING_TO_PAY: lazy_gettext("DWP pays nothing: the parent owes the whole amount"),
    InvoiceStatus.CANCELLED: lazy_gettext("Cancelled"),
}

NURSERY_TIMELINE = {
    "invoice.submitted": lazy_gettext("You sent it"),
    "invoice.awaiting_confirmation": lazy_gettext("Sent to the parent to confirm"),
    "invoice.confirmed": lazy_gettext("The parent confirmed it"),
    "invoice.disputed": lazy_gettext("The parent disputed it"),
    "invoice.approved": lazy_gettext("Approved for payment"),
    "invoice.on_hold": lazy_gettext("DWP is checking it"),
    "invoice.rejected": lazy_gettext("DWP decided not to pay it"),
    "invoice.batched": lazy_gettext("Added to a payment"),
    "invoice.paid": lazy_gettext("DWP paid you"),
    "invoice.payment_failed": lazy_gettext("The payment failed"),
    "invoice.nothing_to_pay": lazy_gettext(
        "DWP pays nothing: the parent’s monthly maximum was already used, so they owe you the whole amount"
    ),
    "invoice.cancelled": lazy_gettext("Cancelled"),
    "invoice.escalated": lazy_gettext("DWP was told the parent has not answered"),
    "invoice.credit_note_issued": lazy_gettext("You issued a credit note"),
    "invoice.credit_note_recovered": lazy_gettext("Credit note taken off a payment"),
}

PARENT_STATUS = {
    InvoiceStatus.SUBMITTED: lazy_gettext("Sent to you"),
    InvoiceStatus.AWAITING_CONFIRMATION: lazy_gettext("Waiting for you to confirm"),
    InvoiceStatus.CONFIRMED: lazy_gettext("Confirmed"),
    InvoiceStatus.DISPUTED: lazy_gettext("You disputed it"),
    InvoiceStatus.APPROVED: lazy_gettext("Approved for payment"),
    InvoiceStatus.ON_HOLD: lazy_gettext("DWP is checking it"),
    InvoiceStatus.REJECTED: lazy_gettext("Not paid by DWP"),
    InvoiceStatus.BATCHED: lazy_gettext("Being paid"),
    InvoiceStatus.PAID: lazy_gettext("Paid"),
    InvoiceStatus.PAYMENT_FAILED: lazy_gettext("Payment failed: DWP will pay again"),
    InvoiceStatus.NOTHING_TO_PAY: lazy_gettext("DWP pays nothing: you owe the whole amount"),
    InvoiceStatus.CANCELLED: lazy_gettext("Cancelled by the provider"),
}

PARENT_TIMELINE = {
    "invoice.submitted": lazy_gettext("Sent by the provider"),
    "invoice.awaiting_confirmation": lazy_gettext("Sent to you to confirm"),
    "invoice.confirmed": lazy_gettext("You confirmed it"),
    "invoice.disputed": lazy_gettext("You disputed it"),
    "invoice.approved": lazy_gettext("Approved for payment"),
    "invoice.on_hold": lazy_gettext("DWP is checking it"),
    "invoice.rejected": lazy_gettext("DWP decided not to pay it"),
    "invoice.batched": lazy_gettext("Added to a payment"),
    "invoice.paid": lazy_gettext("DWP paid the provider"),
    "invoice.payment_failed": lazy_gettext("The payment failed"),
    "invoice.nothing_to_pay": lazy_gettext(
        "DWP pays nothing: your monthly maximum for this assessment period was already used, "
        "so you owe the provider the whole amount"
    ),
    "invoice.cancelled": lazy_gettext("Cancelled by the provider"),
    "invoice.escalated": lazy_gettext("DWP was told you have not answered"),
}

# On a joint claim either partner may answer: what the other one did names them.
PARENT_TIMELINE_BY = {
    "invoice.confirmed": lazy_gettext("Confirmed by %(name)s"),
    "invoice.disputed": lazy_gettext("Disputed by %(name)s"),
}

FLAG_NAMES = {
    "duplicate": lazy_gettext("Duplicate"),
    "overlapping_care": lazy_gettext("Overlapping care"),
    "over_cap": lazy_gettext("Over the monthly limit"),
    "implausible_hours": lazy_gettext("Implausible hours"),
    "recent_bank_change": lazy_gettext("Recent bank change"),
    "volume_spike": lazy_gettext("Provider volume spike"),
    "child_over_age_limit": lazy_gettext("Child over the age limit"),
    "care_before_claim": lazy_gettext("Care before the claim"),
    "care_too_old": lazy_gettext("Care too long ago"),
    "care_too_early": lazy_gettext("Care too far ahead"),
    "advance_spans_periods": lazy_gettext("Advance spans periods"),
    "disputed": lazy_gettext("Disputed by the parent"),
    "claim_not_live": lazy_gettext("UC claim not live in the period"),
    "work_condition_not_met": lazy_gettext("Work condition not met"),
    "ap_dates_differ": lazy_gettext("Claim’s assessment period differs"),
    "claim_not_found": lazy_gettext("Claim not known to the claim system"),
}

# What a parent is told when the Universal Credit claim's facts hold an invoice (the nursery is
# told only that DWP is checking it: the claim is the parent's own business).
PARENT_HOLD_REASONS = {
    "claim_not_live": lazy_gettext(
        "Universal Credit’s records say your claim was not open, or ended, in the assessment period "
        "this care counts in, so DWP may not be able to pay this childcare from Universal Credit. DWP "
        "will check it and tell you what happens next."
    ),
    "work_condition_not_met": lazy_gettext(
        "Universal Credit’s records say you, or your partner if you claim together, were not in paid "
        "work in this assessment period. DWP only pays childcare costs when everyone on the claim is "
        "working or about to start, so it will check this before paying. If your work has changed, "
        "report it in your Universal Credit account."
    ),
    "ap_dates_differ": lazy_gettext(
        "DWP needs to check which of your assessment periods this care counts in before paying."
    ),
    "claim_not_found": lazy_gettext(
        "DWP could not find your Universal Credit claim. It will check your claim details before paying."
    ),
}

# The same, short enough for the brackets of the "DWP is checking" email.
PARENT_HOLD_SHORT = {
    "claim_not_live": lazy_gettext(
        "Universal Credit’s records say your claim was not open, or ended, in the assessment period "
        "this care counts in"
    ),
    "work_condition_not_met": lazy_gettext(
        "Universal Credit’s records say you, or your partner, were not in paid work in this assessment period"
    ),
    "ap_dates_differ": lazy_gettext("DWP needs to check which assessment period this care counts in"),
    "claim_not_found": lazy_gettext("DWP could not find your Universal Credit claim"),
}

# What kind of disagreement with the rail a reconciliation break is, for DWP's pages.
BREAK_KINDS = {
    "amount_pence": lazy_gettext("the amount differs"),
    "currency": lazy_gettext("the currency differs"),
    "destination": lazy_gettext("paid to a different account"),
    "missing_at_rail": lazy_gettext("not found at the rail"),
}

# A caseworker's reasons: these words (never the caseworker's note) reach the nursery and the parent.
REASON_CODES = {
    "checked_eligible": lazy_gettext("Checked: the care is eligible and the amounts are right"),
    "dispute_upheld": lazy_gettext("The parent’s dispute is upheld"),
    "dispute_not_upheld": lazy_gettext("The parent’s dispute is not upheld"),
    "duplicate": lazy_gettext("Duplicate of another invoice"),
    "not_eligible": lazy_gettext("The care is not eligible childcare"),
    "over_limit": lazy_gettext("Over the monthly limit or the age limit"),
    "need_information": lazy_gettext("Waiting for more information"),
    # Its words reach the nursery too, so they name no fact of the parent's claim.
    "claim_does_not_allow": lazy_gettext(
        "Universal Credit cannot pay this childcare: the parent has been told why"
    ),
}

# --- DWP staff's pages: every state in words ----------------------------------------------------

STAFF_STATUS = {
    InvoiceStatus.SUBMITTED: lazy_gettext("Sent by the provider"),
    InvoiceStatus.AWAITING_CONFIRMATION: lazy_gettext("Waiting for the parent to confirm"),
    InvoiceStatus.CONFIRMED: lazy_gettext("Confirmed by the parent"),
    InvoiceStatus.DISPUTED: lazy_gettext("Disputed by the parent"),
    InvoiceStatus.APPROVED: lazy_gettext("Approved for payment"),
    InvoiceStatus.ON_HOLD: lazy_gettext("On hold"),
    InvoiceStatus.REJECTED: lazy_gettext("Rejected"),
    InvoiceStatus.BATCHED: lazy_gettext("In a payment batch"),
    InvoiceStatus.PAID: lazy_gettext("Paid"),
    InvoiceStatus.PAYMENT_FAILED: lazy_gettext("Payment failed: goes into the next batch"),
    InvoiceStatus.NOTHING_TO_PAY: lazy_gettext("Nothing to pay: the monthly maximum was used"),
    InvoiceStatus.CANCELLED: lazy_gettext("Cancelled by the provider"),
}

BATCH_STATUS = {
    BatchStatus.DRAFT: lazy_gettext("Draft"),
    BatchStatus.AWAITING_APPROVAL: lazy_gettext("Waiting for approval"),
    BatchStatus.APPROVED: lazy_gettext("Approved"),
    BatchStatus.SUBMITTED: lazy_gettext("Sent for payment"),
    BatchStatus.SETTLED: lazy_gettext("Paid in full"),
    BatchStatus.PARTIALLY_FAILED: lazy_gettext("Some payments failed"),
    BatchStatus.STOPPED: lazy_gettext("Stopped"),
    BatchStatus.CANCELLED: lazy_gettext("Cancelled"),
}

PAYMENT_STATUS = {
    PaymentStatus.CREATED: lazy_gettext("Not sent yet"),
    PaymentStatus.SENT: lazy_gettext("Sent"),
    PaymentStatus.PAID: lazy_gettext("Paid"),
    PaymentStatus.FAILED: lazy_gettext("Failed"),
    PaymentStatus.RETURNED: lazy_gettext("Returned by the bank"),
    PaymentStatus.UNKNOWN: lazy_gettext("Waiting for the rail to answer"),
}

# GOV.UK tag colours for the states, so a glance at a list finds what needs a person.
STATUS_TAG_COLOURS = {
    "awaiting_confirmation": "light-blue",
    "disputed": "red",
    "on_hold": "yellow",
    "rejected": "red",
    "approved": "turquoise",
    "awaiting_approval": "blue",
    "batched": "blue",
    "submitted": "blue",
    "sent": "blue",
    "paid": "green",
    "settled": "green",
    "payment_failed": "red",
    "failed": "red",
    "returned": "red",
    "partially_failed": "orange",
    "stopped": "red",
    "unknown": "orange",
    "cancelled": "grey",
    "nothing_to_pay": "grey",
    "created": "grey",
    "draft": "grey",
    "pending_verification": "yellow",
    "active": "green",
}

RAIL_NAMES = {Rail.BACS: lazy_gettext("Bacs"), Rail.STRIPE: lazy_gettext("Stripe")}

JOB_OUTCOMES = {
    "running": lazy_gettext("Running"),
    "succeeded": lazy_gettext("Succeeded"),
    "failed": lazy_gettext("Failed"),
    "skipped": lazy_gettext("Skipped: another run held the lock"),
    "interrupted": lazy_gettext("Interrupted: its process stopped"),
}

# What happened, in DWP's words, for every audit event invoicing records (staff timelines, audit log).
STAFF_EVENTS = {
    "invoice.submitted": lazy_gettext("Invoice submitted"),
    "invoice.awaiting_confirmation": lazy_gettext("Sent to the parent to confirm"),
    "invoice.confirmed": lazy_gettext("Confirmed by the parent"),
    "invoice.disputed": lazy_gettext("Disputed by the parent"),
    "invoice.approved": lazy_gettext("Approved for payment"),
    "invoice.on_hold": lazy_gettext("Put on hold"),
    "invoice.hold_continued": lazy_gettext("Kept on hold"),
    "invoice.rejected": lazy_gettext("Rejected"),
    "invoice.batched": lazy_gettext("Added to a payment batch"),
    "invoice.paid": lazy_gettext("Paid"),
    "invoice.payment_failed": lazy_gettext("Payment failed"),
    "invoice.nothing_to_pay": lazy_gettext("Nothing to pay: the monthly maximum was used"),
    "invoice.cancelled": lazy_gettext("Cancelled by the provider"),
    "invoice.escalated": lazy_gettext("Escalated: the parent has not answered"),
    "invoice.reminder_sent": lazy_gettext("Reminder sent to the parent"),
    "invoice.credit_note_issued": lazy_gettext("Credit note issued"),
    "invoice.credit_note_recovered": lazy_gettext("Credit note taken off a payment"),
    "batch.draft": lazy_gettext("Batch drafted"),
    "batch.built": lazy_gettext("Batch built"),
    "batch.awaiting_approval": lazy_gettext("Batch sent for approval"),
    "batch.first_approval": lazy_gettext("Batch approved by the first approver"),
    "batch.approved": lazy_gettext("Batch approved"),
    "batch.submitted": lazy_gettext("Batch sent to the rails"),
    "batch.settled": lazy_gettext("Batch settled"),
    "batch.partially_failed": lazy_gettext("Some of the batch’s payments failed"),
    "batch.stopped": lazy_gettext("Batch stopped: changed after approval"),
    "batch.cancelled": lazy_gettext("Batch cancelled"),
    "batch.bacs_file_made": lazy_gettext("Bacs file made"),
    "batch.bacs_file_submitted": lazy_gettext("Bacs file recorded as sent to the bank"),
    "batch.bacs_file_voided": lazy_gettext("Bacs file voided"),
    "payment.created": lazy_gettext("Payment prepared"),
    "payment.sent": lazy_gettext("Payment sent"),
    "payment.paid": lazy_gettext("Payment paid"),
    "payment.failed": lazy_gettext("Payment failed"),
    "payment.returned": lazy_gettext("Payment returned by the bank"),
    "payment.unknown": lazy_gettext("Payment waiting for the rail to answer"),
    "payment.break_opened": lazy_gettext("Reconciliation break opened"),
    "payment.break_outcome_proposed": lazy_gettext("Break outcome proposed"),
    "payment.break_outcome_declined": lazy_gettext("Break outcome declined"),
    "payment.break_resolved": lazy_gettext("Break settled"),
    "returns.imported": lazy_gettext("Bacs returns file imported"),
    "returns.confirmed": lazy_gettext("Bacs returns file confirmed"),
    "returns.rejected": lazy_gettext("Bacs returns file rejected"),
    "upload.checked": lazy_gettext("Invoice file checked"),
    "upload.submission_started": lazy_gettext("Invoice file being sent"),
    "upload.submitted": lazy_gettext("Invoice file sent"),
    "draft.saved": lazy_gettext("Invoice draft saved"),
    "draft.copied": lazy_gettext("Invoice draft copied from last month’s invoice"),
    "draft.deleted": lazy_gettext("Invoice draft deleted"),
    "draft.sent": lazy_gettext("Invoice draft sent as an invoice"),
    "statement.made": lazy_gettext("Statement of childcare costs paid direct made"),
    "statement.sent": lazy_gettext("Statement sent to the award calculation"),
    "award_difference.found": lazy_gettext(
        "Award lower than DWP paid: difference recorded against the parent"
    ),
}

words.register("invoice_status_nursery", NURSERY_STATUS)
words.register("invoice_status_parent", PARENT_STATUS)
words.register("parent_hold_reason", PARENT_HOLD_REASONS)
words.register("invoice_status_staff", STAFF_STATUS)
words.register("invoice_event_nursery", NURSERY_TIMELINE)
words.register("invoice_event_parent", PARENT_TIMELINE)
words.register("event", STAFF_EVENTS)
words.register("flag", FLAG_NAMES)
words.register("reason", REASON_CODES)
words.register("break_kind", BREAK_KINDS)
words.register("batch_status", BATCH_STATUS)
words.register("payment_status", PAYMENT_STATUS)
words.register("rail", RAIL_NAMES)
words.register("job_outcome", JOB_OUTCOMES)

# A payment as the nursery reads it (the staff words above speak of rails).
NURSERY_PAYMENT_STATUS = {
    PaymentStatus.CREATED: lazy_gettext("Being prepared"),
    PaymentStatus.SENT: lazy_gettext("On its way"),
    PaymentStatus.PAID: lazy_gettext("Paid"),
    PaymentStatus.FAILED: lazy_gettext("Failed"),
    PaymentStatus.RETURNED: lazy_gettext("Returned by your bank"),
    PaymentStatus.UNKNOWN: lazy_gettext("Being checked"),
}

# What a nursery is told when a bank returns a payment (the payment's failure reason, its email
# and its webhook). A bank's reason the returns import recognises reaches it in these words;
# anything else in the file's reason column, which a person at DWP could have written, stays on
# DWP's returns page. Kept in English on the payment and shown in the reader's language.
BANK_REASONS = {
    "account closed": N_("Returned by the bank: the account is closed"),
    "no account": N_("Returned by the bank: there is no such account"),
    "account transferred": N_("Returned by the bank: the account has moved"),
    "beneficiary deceased": N_("Returned by the bank: the account holder has died"),
}
RETURNED_BY_BANK = N_("Returned by the bank")
