"""One of the nursery's invoices: follow it, cancel it, issue a credit note (the form that sends one
is ``invoice_form``, the list ``listing``; drafts, copies and corrections ``drafts``)."""

from __future__ import annotations

import uuid

from flask import (
    flash,
    g,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config.errors import DomainError, FieldError, ValidationFailed
from config.extensions import request_session
from config.forms import show_errors
from config.money import MoneyFormatError, format_pence, parse_pounds
from invoicing import queries, repository, service
from invoicing.forms import CancelForm, CreditNoteForm
from invoicing.labels import NURSERY_STATUS, NURSERY_TIMELINE, REASON_CODES
from invoicing.models import CANCELLABLE_STATES, WITHDRAWN, Invoice
from invoicing.views.nursery import invoicing_nursery
from providers.views.session import provider_required


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
        withdrawn=WITHDRAWN,
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
