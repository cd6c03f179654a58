"""Emails to the parent as DWP decides and pays their invoices, queued in the decision's transaction.

Each says what DWP pays the nursery and what the parent owes it. A caseworker's reason reaches
the parent as its public words (``invoicing.labels.REASON_CODES``), never the note beside it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from flask_babel import lazy_gettext
from sqlalchemy.orm import Session

from config import notify
from config.money import format_pence
from invoicing.labels import PARENT_HOLD_SHORT, REASON_CODES
from invoicing.models import Invoice, InvoiceStatus
from invoicing.repository.news import InvoiceNews, invoice_news
from invoicing.service.common import link

# The automatic checks hold an invoice for a person to look at; its flags are DWP's business.
CHECKED_BY_HAND = lazy_gettext("some invoices are checked by a person")


class _Lowered:
    """Words that start in lower case inside a sentence, made in the reader's language."""

    def __init__(self, words: object) -> None:
        self.words = words

    def __str__(self) -> str:
        return str(self.words).lower()


def _queue(session: Session, news: InvoiceNews, template: str, step: str, **extra: object) -> None:
    notify.queue_email(
        session,
        to=news.email,
        template=template,
        reference=f"{step}-{news.invoice_id}",
        provider=news.provider,
        invoice_number=news.invoice_number,
        child=news.child,
        dwp=format_pence(news.dwp_pence),
        parent=format_pence(news.claimant_pence),
        link=link(f"/account/invoices/{news.invoice_id}"),
        **extra,
    )


def _reason(reason_code: str | None) -> object:
    """The reason's public words, made in the language of the parent the email is for (by
    ``notify.queue_email``)."""
    if reason_code not in REASON_CODES:
        return CHECKED_BY_HAND
    return REASON_CODES[reason_code]


def tell_of_decision(
    session: Session, invoice: Invoice, was: InvoiceStatus, reason_code: str | None = None
) -> None:
    """The parent hears that DWP approved, held or rejected ``invoice`` (just moved from ``was``);
    a decision on an invoice they disputed is told as the dispute's outcome. Nothing for an
    invoice approved again after a failed payment (the parent was told when it was approved)."""
    target = invoice.status
    if target is InvoiceStatus.APPROVED and was is InvoiceStatus.PAYMENT_FAILED:
        return
    session.flush()
    news = invoice_news(session, [invoice.id])
    if not news:
        return
    about = news[0]
    step = f"{target.value}-{invoice.version}"
    if was is InvoiceStatus.DISPUTED and target in (InvoiceStatus.APPROVED, InvoiceStatus.REJECTED):
        if target is InvoiceStatus.APPROVED:
            outcome: object = lazy_gettext(
                "DWP pays %(provider)s its share, %(dwp)s, in its next payment run; "
                "you owe %(provider)s the rest, %(parent)s.",
                provider=about.provider,
                dwp=format_pence(about.dwp_pence),
                parent=format_pence(about.claimant_pence),
            )
        else:
            outcome = lazy_gettext("DWP pays nothing towards it; talk to the provider about it.")
        _queue(session, about, "dispute_decided", step, reason=_reason(reason_code), outcome=outcome)
        return
    template = {
        InvoiceStatus.APPROVED: "invoice_approved",
        InvoiceStatus.ON_HOLD: "invoice_held",
        InvoiceStatus.REJECTED: "invoice_rejected",
    }.get(target)
    if template is not None:
        reason = _Lowered(_reason(reason_code)) if reason_code else _held_for(invoice)
        _queue(session, about, template, step, reason=reason if target is not InvoiceStatus.APPROVED else "")


def _held_for(invoice: Invoice) -> object:
    """Why the automatic checks held the invoice, when the claim's facts did: the parent's own
    business, so told to them (the nursery only hears DWP is checking); otherwise DWP's."""
    for flag in invoice.flags:
        if flag in PARENT_HOLD_SHORT:
            return PARENT_HOLD_SHORT[flag]
    return CHECKED_BY_HAND


def tell_of_payment(session: Session, invoice_ids: Sequence[uuid.UUID]) -> None:
    """Each invoice's parent hears DWP has paid the nursery its share (one query for them all)."""
    for about in invoice_news(session, invoice_ids):
        _queue(session, about, "invoice_paid", "paid")
