"""The nursery's invoices: send one (priced first), list, follow, cancel, issue a credit note."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import InvalidOperation

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from claimants import repository as claimants_repository
from config.database import utcnow
from config.errors import DomainError, FieldError, MalformedRequest, ValidationFailed
from config.extensions import request_session
from config.forms import ConfirmForm, date_items, show_errors
from config.money import MoneyFormatError, format_pence, parse_pounds
from invoicing import limits, queries, repository, service
from invoicing.forms import CancelForm, CreditNoteForm, FilterForm, InvoiceForm
from invoicing.labels import NURSERY_STATUS, NURSERY_TIMELINE, REASON_CODES
from invoicing.models import CANCELLABLE_STATES, Invoice, InvoiceStatus
from invoicing.service import InvoiceInput, LineInput
from invoicing.views.nursery import invoicing_nursery
from providers.views.session import provider_required

DRAFT = "invoice_draft"
PAGE_SIZE = 50


# --- invoices ---------------------------------------------------------------------------------


@invoicing_nursery.get("/invoices")
@provider_required()
def invoices() -> ResponseReturnValue:
    """This provider's invoices, newest first, filtered by status, child's name and month of care."""
    filters = FilterForm(request.args)
    filters.status.choices = [SelectChoice("", _("Any status"))] + [
        SelectChoice(s.value, str(label)) for s, label in NURSERY_STATUS.items()
    ]
    error = None
    status = request.args.get("status")
    # A name to search for, not a list to pick from: a large nursery has hundreds of children.
    name = " ".join((request.args.get("name") or "").split())[:100]
    month = None
    period = (request.args.get("period") or "").strip()
    if period:
        try:
            year, number = (int(part) for part in period.split("-"))
            month = date(year, number, 1)
        except ValueError:
            error = _("Enter the month as year and month, like 2026-10")
    wanted = queries.InvoiceFilter(
        InvoiceStatus(status) if status in {s.value for s in InvoiceStatus} else None, name, month
    )
    db = request_session()
    try:
        rows, next_cursor = queries.provider_invoices(
            db, g.actor.provider_id, wanted, PAGE_SIZE, request.args.get("cursor")
        )
    except MalformedRequest:
        abort(400)
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    return render_template(
        "invoicing/nursery_invoices.html",
        invoices=rows,
        children=queries.child_names(db, {row.child_id for row in rows}),
        status=NURSERY_STATUS,
        filters=filters,
        filter_error=error,
        next_url=url_for(".invoices", cursor=next_cursor, **args) if next_cursor else None,  # type: ignore[arg-type]
    )


def _line_inputs(form: InvoiceForm) -> tuple[list[LineInput], list[str], list[int]]:
    """The lines typed (blank rows left out), the problems with them, and each line's row number."""
    lines, problems, rows = [], [], []
    for index, entry in enumerate(form.lines.entries, start=1):
        line = entry.form
        if not any((line.description.data, line.hours.data, line.amount.data)):
            continue
        try:
            amount = parse_pounds(line.amount.data or "")
        except MoneyFormatError as error:
            problems.append(_("Line %(n)s: %(message)s", n=index, message=_(str(error))))
            continue
        hours = None
        if line.hours.data:
            try:
                hours = limits.parse_hours(line.hours.data)
            except InvalidOperation:
                problems.append(_("Line %(n)s: %(message)s", n=index, message=_(limits.HOURS_OUT_OF_RANGE)))
                continue
        if (wrong := limits.description_problem(line.description.data or "")) is not None:
            problems.append(_("Line %(n)s: %(message)s", n=index, message=_(wrong)))
            continue
        lines.append(LineInput(line.description.data.strip(), amount, line.eligible.data == "yes", hours))
        rows.append(index)
    if not lines and not problems:
        problems.append(_("Add at least one line, with a description and an amount"))
    return lines, problems, rows


def _show_invoice_errors(form: InvoiceForm, error: DomainError, rows: list[int]) -> None:
    """The service names a line's field ``lines[0].amount_pence``; the form says "Line 1: …" with
    the row's number on the page (``rows``: each line's row)."""
    others = []
    for item in error.errors:
        if item.field.startswith("lines["):
            index = int(item.field[len("lines[") : item.field.index("]")])
            number = rows[index] if index < len(rows) else index + 1
            form.form_errors.append(_("Line %(n)s: %(message)s", n=number, message=_(item.message)))
        elif item.field == "lines":
            form.form_errors.append(_(item.message))
        else:
            others.append(item)
    if others or not error.errors:
        show_errors(form, ValidationFailed(error.detail, errors=others) if error.errors else error)


@invoicing_nursery.route("/invoices/new", methods=["GET", "POST"])
@provider_required()
def new_invoice() -> ResponseReturnValue:
    consents = claimants_repository.live_consents_of_provider(
        request_session(), g.actor.provider_id, utcnow()
    )
    form = InvoiceForm()
    form.consent.choices = [
        SelectChoice(str(consent.id), f"{child.first_name} {child.last_name}") for consent, child in consents
    ]
    if form.validate_on_submit():
        lines, problems, rows = _line_inputs(form)
        if problems:
            form.form_errors.extend(problems)
        else:
            data = InvoiceInput(
                consent_id=uuid.UUID(form.consent.data),
                invoice_number=form.invoice_number.data or "",
                issued_on=form.issued_on.data,  # type: ignore[arg-type]  # required by the form
                care_from=form.care_from.data,  # type: ignore[arg-type]
                care_to=form.care_to.data,  # type: ignore[arg-type]
                lines=tuple(lines),
            )
            try:
                service.preview_invoice(request_session(), g.actor, data)
            except DomainError as error:
                _show_invoice_errors(form, error, rows)
            else:
                session[DRAFT] = data.to_plain()
                return redirect(url_for(".check_invoice"))
    return render_template(
        "invoicing/nursery_new_invoice.html", form=form, date_items=date_items, consents=consents
    ), 400 if form.errors or form.form_errors else 200


@invoicing_nursery.route("/invoices/new/check", methods=["GET", "POST"])
@provider_required()
def check_invoice() -> ResponseReturnValue:
    """Before sending: what DWP expects to pay and what the parent owes."""
    draft = session.get(DRAFT)
    if not draft:
        return redirect(url_for(".new_invoice"))
    data = InvoiceInput.from_plain(draft)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            invoice = service.submit_invoice(request_session(), g.actor, data)
        except DomainError as error:
            show_errors(form, error)
        else:
            session.pop(DRAFT, None)
            flash(
                _("Invoice %(number)s has been sent to the parent to confirm", number=invoice.invoice_number)
            )
            return redirect(url_for(".invoice", invoice_id=invoice.id))
    try:
        preview = service.preview_invoice(request_session(), g.actor, data)
    except DomainError as error:
        session.pop(DRAFT, None)
        flash(_(error.detail), "error")
        return redirect(url_for(".new_invoice"))
    return render_template(
        "invoicing/nursery_check_invoice.html", form=form, data=data, preview=preview
    ), 400 if form.form_errors else 200


def _own_invoice(invoice_id: uuid.UUID) -> Invoice:
    return queries.invoice_of_provider(request_session(), g.actor.provider_id, invoice_id)


@invoicing_nursery.get("/invoices/<uuid:invoice_id>")
@provider_required()
def invoice(invoice_id: uuid.UUID) -> ResponseReturnValue:
    item = _own_invoice(invoice_id)
    db = request_session()
    return render_template(
        "invoicing/nursery_invoice.html",
        invoice=item,
        child=queries.child_of(db, item),
        status=NURSERY_STATUS,
        timeline=queries.public_timeline(db, item),
        timeline_labels=NURSERY_TIMELINE,
        reasons=REASON_CODES,
        credit_notes=repository.credit_notes_for(db, item.id),
        cancellable=item.status in CANCELLABLE_STATES,
    )


@invoicing_nursery.route("/invoices/<uuid:invoice_id>/cancel", methods=["GET", "POST"])
@provider_required()
def cancel(invoice_id: uuid.UUID) -> ResponseReturnValue:
    item = _own_invoice(invoice_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            service.cancel_invoice(request_session(), g.actor, invoice_id, form.reason.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("Invoice %(number)s is cancelled", number=item.invoice_number))
            return redirect(url_for(".invoice", invoice_id=invoice_id))
    return render_template(
        "question.html",
        form=form,
        caption=_("Invoice %(number)s", number=item.invoice_number),
        button=_("Cancel invoice"),
        back_url=url_for(".invoice", invoice_id=invoice_id),
    ), 400 if form.errors or form.form_errors else 200


@invoicing_nursery.route("/invoices/<uuid:invoice_id>/credit-note", methods=["GET", "POST"])
@provider_required()
def credit_note(invoice_id: uuid.UUID) -> ResponseReturnValue:
    item = _own_invoice(invoice_id)
    form = CreditNoteForm()
    if form.validate_on_submit():
        try:
            amount = parse_pounds(form.amount.data or "")
        except MoneyFormatError as error:
            form.amount.errors = [_(str(error))]
        else:
            try:
                service.issue_credit_note(
                    request_session(), g.actor, invoice_id, amount, form.reason.data or ""
                )
            except DomainError as error:
                _amount_errors_on_field(form, error)
            else:
                flash(
                    _(
                        "Credit note for %(amount)s recorded: it comes off your next payment",
                        amount=format_pence(amount),
                    )
                )
                return redirect(url_for(".invoice", invoice_id=invoice_id))
    return render_template(
        "question.html",
        form=form,
        heading=_("Issue a credit note"),
        caption=_(
            "Invoice %(number)s: DWP paid %(amount)s",
            number=item.invoice_number,
            amount=format_pence(item.dwp_pence),
        ),
        button=_("Issue credit note"),
        back_url=url_for(".invoice", invoice_id=invoice_id),
        field_params={
            "amount": {"classes": "govuk-input--width-10", "prefix": {"text": "£"}, "inputmode": "decimal"}
        },
    ), 400 if form.errors or form.form_errors else 200


def _amount_errors_on_field(form: CreditNoteForm, error: DomainError) -> None:
    """The service names ``amount_pence``; the form's field is ``amount`` (in pounds)."""
    renamed = [
        FieldError("amount" if e.field == "amount_pence" else e.field, e.message) for e in error.errors
    ]
    show_errors(form, ValidationFailed(error.detail, errors=renamed) if renamed else error)
