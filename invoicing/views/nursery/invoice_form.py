"""The invoice form: a new invoice, a saved draft opened again, or the correction of a disputed
invoice, each priced on a check page before it is sent; "Save as draft" keeps it to finish later
(a setting still waiting for DWP's verification can prepare invoices this way)."""

from __future__ import annotations

import uuid
from decimal import InvalidOperation
from typing import Any

from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from claimants import repository as claimants_repository
from config.database import utcnow
from config.errors import DomainError, ValidationFailed, translated
from config.extensions import request_session
from config.forms import ConfirmForm, error_list, show_errors
from config.money import MoneyFormatError, parse_pounds
from invoicing import limits, queries, service
from invoicing.forms import InvoiceForm
from invoicing.repository import drafts as drafts_repository
from invoicing.service import InvoiceInput, LineInput
from invoicing.service import drafts as draft_service
from invoicing.views.nursery import invoicing_nursery
from providers import repository as providers_repository
from providers.models import ProviderStatus
from providers.views.session import provider_required

CHECKING = "invoice_draft"  # the session key: the invoice on the check page
CHECKING_DRAFT = "invoice_draft_id"  # and the saved draft it came from, deleted once it is sent
SAVE = "save"  # the value of the "Save as draft" button
# The service's name for a line's field, and the box on the form it was typed in.
LINE_BOXES = {
    "amount_pence": "amount",
    "description": "description",
    "hours": "hours",
    "eligible": "eligible",
}


def _line_inputs(form: InvoiceForm) -> tuple[list[LineInput], bool, list[int]]:
    """The lines typed (blank rows left out), whether any has a problem, and each line's row
    number. A problem is put on the line's own box ("Line 2: …"), so the error summary links to it."""
    lines, rows, wrong_somewhere = [], [], False

    def refuse(field: Any, index: int, message: str) -> None:
        nonlocal wrong_somewhere
        wrong_somewhere = True
        field.errors = [*list(field.errors or []), _("Line %(n)s: %(message)s", n=index, message=message)]

    for index, entry in enumerate(form.lines.entries, start=1):
        line = entry.form
        if not any((line.description.data, line.hours.data, line.amount.data)):
            continue
        amount = hours = None
        try:
            amount = parse_pounds(line.amount.data or "")
        except MoneyFormatError as error:
            refuse(line.amount, index, _(str(error)))
        if line.hours.data:
            try:
                hours = limits.parse_hours(line.hours.data)
            except InvalidOperation:
                refuse(line.hours, index, _(limits.HOURS_OUT_OF_RANGE))
        if (wrong := limits.description_problem(line.description.data or "")) is not None:
            refuse(line.description, index, _(wrong))
        if amount is None or (line.hours.data and hours is None) or wrong is not None:
            continue
        lines.append(LineInput(line.description.data.strip(), amount, line.eligible.data == "yes", hours))
        rows.append(index)
    if not lines and not wrong_somewhere:
        first = form.lines.entries[0].form.description
        first.errors = [
            *list(first.errors or []),
            _("Add at least one line, with a description and an amount"),
        ]
        wrong_somewhere = True
    return lines, wrong_somewhere, rows


def _show_invoice_errors(form: InvoiceForm, error: DomainError, rows: list[int]) -> None:
    """The service names a line's field ``lines[0].amount_pence``; the form says "Line 1: …" with
    the row's number on the page (``rows``: each line's row)."""
    others = []
    for item in error.errors:
        if item.field.startswith("lines["):
            index = int(item.field[len("lines[") : item.field.index("]")])
            number = rows[index] if index < len(rows) else index + 1
            words = _("Line %(n)s: %(message)s", n=number, message=translated(item.message))
            line = form.lines.entries[number - 1].form if number <= len(form.lines.entries) else None
            box = getattr(line, LINE_BOXES.get(item.field.split(".")[-1], "amount"), None) if line else None
            if box is not None:
                box.errors = [*list(box.errors or []), words]
            else:
                form.form_errors.append(words)
        elif item.field == "lines":
            form.form_errors.append(translated(item.message))
        else:
            others.append(item)
    if others or not error.errors:
        show_errors(form, ValidationFailed(error.detail, errors=others) if error.errors else error)


def _form_data() -> dict[str, list[str]]:
    """The invoice form as posted, without its CSRF token and buttons (a draft keeps this)."""
    return {k: v for k, v in request.form.to_dict(flat=False).items() if k not in {"csrf_token", "action"}}


def _invoice_form(draft_id: uuid.UUID | None, prefill: dict[str, list[str]] | None) -> ResponseReturnValue:
    db = request_session()
    consents = claimants_repository.live_consents_of_provider(db, g.actor.provider_id, utcnow())
    if request.method == "POST" and request.form.get("action") == SAVE:
        if ConfirmForm().validate_on_submit():
            draft_service.save_draft(db, g.actor, _form_data(), draft_id)
            flash(_("Your draft is saved. Nobody else can see it until you send it."))
            return redirect(url_for(".drafts"))
    form = (
        InvoiceForm(formdata=MultiDict([(k, v) for k, vs in prefill.items() for v in vs]))
        if prefill
        else InvoiceForm()
    )
    form.consent.choices = [
        SelectChoice(str(consent.id), f"{child.first_name} {child.last_name}") for consent, child in consents
    ]
    if request.method == "POST":
        valid = form.validate_on_submit()
        lines, wrong_line, rows = _line_inputs(form)  # every line checked, whatever else is wrong
        if valid and not wrong_line:
            data = InvoiceInput(
                consent_id=uuid.UUID(form.consent.data),
                invoice_number=form.invoice_number.data or "",
                issued_on=form.issued_on.data,  # type: ignore[arg-type]  # required by the form
                care_from=form.care_from.data,  # type: ignore[arg-type]
                care_to=form.care_to.data,  # type: ignore[arg-type]
                lines=tuple(lines),
            )
            try:
                service.preview_invoice(db, g.actor, data)
            except DomainError as error:
                _show_invoice_errors(form, error, rows)
            else:
                session[CHECKING] = data.to_plain()
                session[CHECKING_DRAFT] = str(draft_id) if draft_id else None
                return redirect(url_for(".check_invoice"))
    chosen = (prefill or {}).get("consent", [""])[0]
    # A line's problem is put on its box after WTForms has counted the form's errors.
    lines_wrong = request.method == "POST" and any(error_list(entry.form) for entry in form.lines.entries)
    return render_template(
        "invoicing/nursery_new_invoice.html",
        form=form,
        consents=consents,
        draft_id=draft_id,
        has_errors=lines_wrong,
        consent_gone=bool(chosen) and chosen not in {str(consent.id) for consent, _child in consents},
    ), 400 if form.errors or form.form_errors or lines_wrong else 200


@invoicing_nursery.route("/invoices/new", methods=["GET", "POST"])
@provider_required()
def new_invoice() -> ResponseReturnValue:
    """A new invoice; ``?correcting=<id>``: filled in from a disputed invoice just cancelled."""
    prefill = None
    correcting = request.args.get("correcting")
    if request.method == "GET" and correcting:
        try:
            earlier = queries.invoice_of_provider(
                request_session(), g.actor.provider_id, uuid.UUID(correcting)
            )
        except ValueError:
            earlier = None
        if earlier is not None:
            prefill = draft_service.form_for_correction(earlier)
    return _invoice_form(None, prefill)


@invoicing_nursery.route("/invoices/drafts/<uuid:draft_id>", methods=["GET", "POST"])
@provider_required()
def edit_draft(draft_id: uuid.UUID) -> ResponseReturnValue:
    draft = drafts_repository.get_draft(request_session(), g.actor.provider_id, draft_id)
    return _invoice_form(draft.id, draft.form if request.method == "GET" else None)


@invoicing_nursery.route("/invoices/new/check", methods=["GET", "POST"])
@provider_required()
def check_invoice() -> ResponseReturnValue:
    """Before sending: what DWP expects to pay and what the parent owes. A setting DWP has not
    verified yet saves it as a draft instead."""
    checking = session.get(CHECKING)
    if not checking:
        return redirect(url_for(".new_invoice"))
    data = InvoiceInput.from_plain(checking)
    draft_id = uuid.UUID(session[CHECKING_DRAFT]) if session.get(CHECKING_DRAFT) else None
    db = request_session()
    form = ConfirmForm()
    if form.validate_on_submit():
        if request.form.get("action") == SAVE:
            draft_service.save_draft(db, g.actor, draft_service.form_of_input(data), draft_id)
            _forget_checking()
            flash(_("Your draft is saved. Nobody else can see it until you send it."))
            return redirect(url_for(".drafts"))
        try:
            if draft_id is not None:
                invoice = draft_service.send_draft(db, g.actor, draft_id, data)
            else:
                invoice = service.submit_invoice(db, g.actor, data)
        except DomainError as error:
            show_errors(form, error)
        else:
            _forget_checking()
            flash(
                _("Invoice %(number)s has been sent to the parent to confirm", number=invoice.invoice_number)
            )
            return redirect(url_for(".invoice", invoice_id=invoice.id))
    try:
        preview = service.preview_invoice(db, g.actor, data)
    except DomainError as error:
        _forget_checking()
        flash(translated(error.detail), "error")
        return redirect(url_for(".new_invoice"))
    provider = providers_repository.get_provider(db, g.actor.provider_id)
    return render_template(
        "invoicing/nursery_check_invoice.html",
        form=form,
        data=data,
        preview=preview,
        can_send=provider.status is ProviderStatus.ACTIVE,
        back_url=url_for(".edit_draft", draft_id=draft_id) if draft_id else url_for(".new_invoice"),
        from_draft=draft_id is not None,
    ), 400 if form.form_errors else 200


def _forget_checking() -> None:
    session.pop(CHECKING, None)
    session.pop(CHECKING_DRAFT, None)
