"""The parent's invoices and assessment periods, under /account (invoices belong to invoicing)."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from claimants import repository as claimants_repository
from claimants.forms import DisputeForm
from claimants.models import Child
from claimants.rules import childcare_age_limit
from claimants.views.portal import CONSENT_STATUS, parent_required
from config import audit
from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from invoicing import periods, service
from invoicing.models import Invoice, InvoiceStatus
from invoicing.service import today_in_london
from providers import repository as providers_repository

invoicing_parents = Blueprint(
    "invoicing_parents", __name__, url_prefix="/account", template_folder="../templates"
)

STATUS = {
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
    InvoiceStatus.CANCELLED: lazy_gettext("Cancelled by the provider"),
}

TIMELINE = {
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
    "invoice.cancelled": lazy_gettext("Cancelled by the provider"),
}


def _names(invoices: list[Invoice]) -> tuple[dict, dict]:
    db = request_session()
    providers = providers_repository.providers_by_id(db, {i.provider_id for i in invoices})
    child_ids = {i.child_id for i in invoices}
    children = (
        {c.id: c for c in db.scalars(select(Child).where(Child.id.in_(child_ids)))} if child_ids else {}
    )
    return providers, children


@invoicing_parents.get("/home")
@parent_required
def home() -> ResponseReturnValue:
    """One page: what DWP pays this period, what the parent owes, who may bill DWP, and stopping it."""
    parent = g.parent
    db = request_session()
    summary = None
    if parent.claim_start_date is not None:
        start, end = periods.recent_periods(parent.claim_start_date, today_in_london(), count=1)[0]
        summary = periods.period_summary(db, parent.id, start, end)
    consents = claimants_repository.list_consents_for_parent(db, parent.id)
    children = claimants_repository.list_children(db, parent.id)
    providers = providers_repository.providers_by_id(
        db,
        {c.provider_id for c in consents}
        | {row.provider_id for row in (summary.by_provider if summary else [])},
    )
    waiting = db.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(Invoice.parent_id == parent.id, Invoice.status == InvoiceStatus.AWAITING_CONFIRMATION)
    )
    return render_template(
        "invoicing/parent_home.html",
        parent=parent,
        summary=summary,
        consents=consents,
        children=children,
        providers=providers,
        waiting=waiting,
        consent_status=CONSENT_STATUS,
        age_limit=childcare_age_limit,
    )


@invoicing_parents.get("/invoices")
@parent_required
def invoices() -> ResponseReturnValue:
    db = request_session()
    rows = list(
        db.scalars(
            select(Invoice)
            .where(Invoice.parent_id == g.parent.id)
            .order_by(Invoice.created_at.desc())
            .limit(100)
        )
    )
    providers, children = _names(rows)
    waiting = [i for i in rows if i.status is InvoiceStatus.AWAITING_CONFIRMATION]
    others = [i for i in rows if i.status is not InvoiceStatus.AWAITING_CONFIRMATION]
    return render_template(
        "invoicing/parent_invoices.html",
        waiting=waiting,
        others=others,
        providers=providers,
        children=children,
        status=STATUS,
    )


def _own_invoice(invoice_id: uuid.UUID) -> Invoice:
    invoice = request_session().get(Invoice, invoice_id)
    if invoice is None or invoice.parent_id != g.parent.id:
        abort(404)
    return invoice


@invoicing_parents.get("/invoices/<uuid:invoice_id>")
@parent_required
def invoice(invoice_id: uuid.UUID) -> ResponseReturnValue:
    row = _own_invoice(invoice_id)
    providers, children = _names([row])
    return render_template(
        "invoicing/parent_invoice.html",
        invoice=row,
        provider=providers[row.provider_id],
        child=children[row.child_id],
        status=STATUS,
        form=ConfirmForm(),
        timeline=audit.events_for(request_session(), "invoices", row.id),
        timeline_labels=TIMELINE,
    )


@invoicing_parents.post("/invoices/<uuid:invoice_id>/confirm")
@parent_required
def confirm(invoice_id: uuid.UUID) -> ResponseReturnValue:
    _own_invoice(invoice_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.confirm_invoice(request_session(), g.actor, invoice_id)
    flash(_("You confirmed the invoice. DWP will now check it and pay its share to your provider."))
    return redirect(url_for("invoicing_parents.invoice", invoice_id=invoice_id))


@invoicing_parents.route("/invoices/<uuid:invoice_id>/dispute", methods=["GET", "POST"])
@parent_required
def dispute(invoice_id: uuid.UUID) -> ResponseReturnValue:
    row = _own_invoice(invoice_id)
    form = DisputeForm()
    if form.validate_on_submit():
        try:
            service.dispute_invoice(request_session(), g.actor, invoice_id, form.reason.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("You disputed the invoice. DWP will look into it and tell your provider."))
            return redirect(url_for("invoicing_parents.invoice", invoice_id=invoice_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("invoicing/parent_dispute.html", invoice=row, form=form), status


@invoicing_parents.get("/periods")
@invoicing_parents.get("/periods/<date_start>")
@parent_required
def assessment_periods(date_start: str | None = None) -> ResponseReturnValue:
    """One assessment period: its invoices, what DWP pays, what the parent owes, the cap left."""
    parent = g.parent
    if parent.claim_start_date is None:
        return redirect(url_for("claimants_portal.link_claim"))
    recent = periods.recent_periods(parent.claim_start_date, today_in_london())
    if date_start is None:
        start, end = recent[0]
    else:
        try:
            wanted = date.fromisoformat(date_start)
        except ValueError:
            abort(404)
        match = [p for p in recent if p[0] == wanted]
        if not match:
            abort(404)
        start, end = match[0]
    summary = periods.period_summary(request_session(), parent.id, start, end)
    providers, children = _names(summary.invoices)
    return render_template(
        "invoicing/parent_period.html",
        summary=summary,
        recent=recent,
        providers=providers,
        children=children,
        status=STATUS,
    )
