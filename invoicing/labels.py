"""The words for invoicing's states, timeline events and flags: one place for every page.

The nursery and the parent are told the same facts in their own words ("Waiting for the
parent" / "Waiting for you to confirm").
"""

from __future__ import annotations

from flask_babel import lazy_gettext

from invoicing.models import InvoiceStatus

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
}
