"""A nursery's drafts: invoices saved to finish later, or copied from last month's, never seen by
DWP until sent. A setting still waiting for DWP's verification may save drafts too.

Each public function is one use case and one transaction, audited (``draft.saved``,
``draft.copied``, ``draft.deleted``; sending one is ``draft.sent`` beside ``invoice.submitted``).
"""

from __future__ import annotations

import calendar
import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from claimants import repository as claimants_repository
from config import audit
from config.auth import Actor
from config.database import transaction
from config.errors import NotFound
from invoicing import limits
from invoicing.models import Invoice, InvoiceDraft
from invoicing.repository import drafts as repository
from invoicing.service.common import today_in_london
from invoicing.service.submission import InvoiceInput, _submit

# What of the invoice form a draft keeps: the fields as the browser posts them, nothing else.
_FIELDS = re.compile(
    r"^(consent|invoice_number|issued_on|care_from|care_to|lines-\d{1,3}-(description|hours|amount|eligible))$"
)
_LONGEST_VALUE = 500
_MOST_FIELDS = 4 * (limits.MAX_LINES + 10) + 5  # a few lines past the limit: the service says so

FormData = dict[str, list[str]]


def _kept(form: FormData) -> FormData:
    """Only the invoice form's own fields, each value cut to a sensible length."""
    kept = {
        name: [str(value)[:_LONGEST_VALUE] for value in values][:3]
        for name, values in form.items()
        if _FIELDS.match(name)
    }
    return dict(list(kept.items())[:_MOST_FIELDS])


def _first(form: FormData, name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _date(form: FormData, name: str) -> date | None:
    """A date the form holds as day, month and year, if it is a whole, real one."""
    parts = [part.strip() for part in form.get(name, [])]
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def _describe(session: Session, provider_id: uuid.UUID, draft: InvoiceDraft, form: FormData) -> None:
    """The list's columns, read from the form: a consent that is not this provider's is dropped."""
    draft.form = form
    consent_id: uuid.UUID | None = None
    try:
        consent_id = uuid.UUID(_first(form, "consent"))
        claimants_repository.consent_of_provider(session, provider_id, consent_id)
    except (ValueError, NotFound):
        consent_id = None
    draft.consent_id = consent_id
    draft.invoice_number = _first(form, "invoice_number")[: limits.MAX_INVOICE_NUMBER] or None
    draft.care_from, draft.care_to = _date(form, "care_from"), _date(form, "care_to")


def save_draft(
    session: Session, actor: Actor, form: FormData, draft_id: uuid.UUID | None = None
) -> InvoiceDraft:
    """Keep the invoice form as typed (a new draft, or over ``draft_id``), checking nothing in it:
    a draft may be half done. Another provider's draft is not found."""
    provider_id = actor.require_provider()
    with transaction(session):
        if draft_id is None:
            draft = InvoiceDraft(id=uuid.uuid4(), provider_id=provider_id, saved_by_id=actor.id)
            session.add(draft)
        else:
            draft = repository.get_draft(session, provider_id, draft_id, for_update=True)
            draft.saved_by_id = actor.id  # type: ignore[assignment]
        _describe(session, provider_id, draft, _kept(form))
        audit.record(session, "draft.saved", draft, actor, {"invoice_number": draft.invoice_number})
    return draft


def delete_draft(session: Session, actor: Actor, draft_id: uuid.UUID) -> InvoiceDraft:
    provider_id = actor.require_provider()
    with transaction(session):
        draft = repository.get_draft(session, provider_id, draft_id, for_update=True)
        audit.record(session, "draft.deleted", draft, actor, {"invoice_number": draft.invoice_number})
        session.delete(draft)
    return draft


def send_draft(session: Session, actor: Actor, draft_id: uuid.UUID, data: InvoiceInput) -> Invoice:
    """``submit_invoice`` for the draft's invoice, and the draft is gone, in one transaction (a
    refusal keeps the draft as it was)."""
    provider_id = actor.require_provider()

    def and_forget_the_draft(invoice: Invoice) -> None:
        draft = repository.get_draft(session, provider_id, draft_id, for_update=True)
        audit.record(session, "draft.sent", draft, actor, {"invoice_id": invoice.id})
        session.delete(draft)

    invoice, _replayed = _submit(session, actor, data, None, then=and_forget_the_draft)
    return invoice


def next_month(day: date) -> date:
    """The same day a month on; the last day of a month stays the last day (31 January → 28 or 29
    February, 30 April → 31 May)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def form_of(invoice: Invoice, *, care_from: date, care_to: date, issued_on: date | None) -> FormData:
    """The invoice form filled in with an invoice's child, lines and the dates given; no number
    (each invoice needs one of its own)."""

    def boxes(day: date | None) -> list[str]:
        return [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]

    form: FormData = {
        "consent": [str(invoice.consent_id)],
        "invoice_number": [""],
        "issued_on": boxes(issued_on),
        "care_from": boxes(care_from),
        "care_to": boxes(care_to),
    }
    for index, line in enumerate(invoice.lines):
        form[f"lines-{index}-description"] = [line.description]
        form[f"lines-{index}-hours"] = [_hours(line.hours)]
        form[f"lines-{index}-amount"] = [_pounds(line.amount_pence)]
        form[f"lines-{index}-eligible"] = ["yes" if line.eligible else "no"]
    return form


def form_of_input(data: InvoiceInput) -> FormData:
    """The invoice form filled in with an invoice checked but not sent (saved from the check page)."""

    def boxes(day: date) -> list[str]:
        return [str(day.day), str(day.month), str(day.year)]

    form: FormData = {
        "consent": [str(data.consent_id)],
        "invoice_number": [data.invoice_number],
        "issued_on": boxes(data.issued_on),
        "care_from": boxes(data.care_from),
        "care_to": boxes(data.care_to),
    }
    for index, line in enumerate(data.lines):
        form[f"lines-{index}-description"] = [line.description]
        form[f"lines-{index}-hours"] = [_hours(line.hours)]
        form[f"lines-{index}-amount"] = [_pounds(line.amount_pence)]
        form[f"lines-{index}-eligible"] = ["yes" if line.eligible else "no"]
    return form


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def _hours(hours: Decimal | None) -> str:
    if hours is None:
        return ""
    text = f"{hours:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def copy_last_month(session: Session, actor: Actor) -> list[InvoiceDraft]:
    """A draft of each of last month's invoices (care starting last month; not cancelled or
    rejected), the care dates a month on and today's date as the invoice date, for the nursery
    to review, change and send. An invoice already copied, or whose care a month on is already
    invoiced for that child, is not copied again: pressing the button twice makes nothing twice."""
    provider_id = actor.require_provider()
    today = today_in_london()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    end_of_this_month = next_month(this_month) - timedelta(days=1)
    with transaction(session):
        invoiced = repository.care_already_invoiced(session, provider_id, this_month, end_of_this_month)
        invoiced |= {
            (child_id, next_month(care_from))
            for child_id, care_from in repository.care_copied_before(session, provider_id)
        }
        made: list[InvoiceDraft] = []
        for invoice in repository.invoices_with_care_starting(
            session, provider_id, last_month, this_month - timedelta(days=1)
        ):
            care_from, care_to = next_month(invoice.care_from), next_month(invoice.care_to)
            if (invoice.child_id, care_from) in invoiced:
                continue
            invoiced.add((invoice.child_id, care_from))
            draft = InvoiceDraft(
                id=uuid.uuid4(), provider_id=provider_id, saved_by_id=actor.id, copied_from_id=invoice.id
            )
            session.add(draft)
            _describe(
                session,
                provider_id,
                draft,
                form_of(invoice, care_from=care_from, care_to=care_to, issued_on=today),
            )
            audit.record(
                session, "draft.copied", draft, actor, {"from_invoice_number": invoice.invoice_number}
            )
            made.append(draft)
    return made


def form_for_correction(invoice: Invoice) -> FormData:
    """The form for the invoice that corrects ``invoice``: its child, dates and lines, no number."""
    return form_of(invoice, care_from=invoice.care_from, care_to=invoice.care_to, issued_on=today_in_london())
