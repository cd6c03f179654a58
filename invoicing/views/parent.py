"""The parent's invoices and assessment periods, under /account (invoices belong to invoicing)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claimants import repository as claimants_repository
from claimants.forms import DisputeForm
from claimants.labels import CONSENT_STATUS
from claimants.models import Consent, ConsentStatus, Parent
from claimants.rules import childcare_age_limit, ending_warnings_due
from claimants.views.session import parent_required
from claims import ClaimSystemUnavailable
from config.database import utcnow
from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from invoicing import periods, queries, service
from invoicing.labels import (
    PARENT_HOLD_REASONS,
    PARENT_STATUS,
    PARENT_TIMELINE,
    PARENT_TIMELINE_BY,
    REASON_CODES,
    STATUS_TAG_COLOURS,
)
from invoicing.models import Invoice, InvoiceStatus
from invoicing.service import today_in_london
from invoicing.service.claim_facts import ClaimFacts
from providers import repository as providers_repository

invoicing_parent = Blueprint(
    "invoicing_parent", __name__, url_prefix="/account", template_folder="../templates"
)


def _names(invoices: list[Invoice]) -> tuple[dict, dict]:
    db = request_session()
    providers = providers_repository.providers_by_id(db, {i.provider_id for i in invoices})
    return providers, queries.children_by_id(db, {i.child_id for i in invoices})


@invoicing_parent.get("/home")
@parent_required
def home() -> ResponseReturnValue:
    """One page: what DWP pays this period, what the parent owes, who may bill DWP, and stopping it."""
    parent = g.household  # the claim's: on a joint claim, the lead's
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
    waiting = queries.waiting_for_parent_count(db, parent.id)
    now = utcnow()
    partners = claimants_repository.partners_of(db, parent.id)
    return render_template(
        "invoicing/parent_home.html",
        parent=parent,
        person=g.parent,
        summary=summary,
        consents=consents,
        children=children,
        providers=providers,
        waiting=waiting,
        partners=partners,
        joint=bool(partners) or _joint_claim(parent),
        consent_status=CONSENT_STATUS,
        age_limit=last_day_of_care,
        # Warned 30 and 7 days before the end; an ended one until it is renewed or asked again.
        ending=[c for c in consents if c.is_live_on(now) and ending_warnings_due(c.expires_at, now)],  # type: ignore[arg-type]
        ended=[c for c in consents if c.status is ConsentStatus.EXPIRED and not _replaced(c, consents)],
    )


def _replaced(ended: Consent, consents: list[Consent]) -> bool:
    """A newer consent for the same nursery and child (asked, given, refused or stopped since)."""
    return any(
        c.provider_id == ended.provider_id
        and c.child_id == ended.child_id
        and c.created_at > ended.created_at
        for c in consents
    )


def last_day_of_care(date_of_birth: date) -> date:
    """The last day of care that counts (the age limit is the first day that no longer does)."""
    return childcare_age_limit(date_of_birth) - timedelta(days=1)


@invoicing_parent.get("/invoices")
@parent_required
def invoices() -> ResponseReturnValue:
    rows = queries.parent_invoices(request_session(), g.household.id)
    providers, children = _names(rows)
    waiting = [i for i in rows if i.status is InvoiceStatus.AWAITING_CONFIRMATION]
    others = [i for i in rows if i.status is not InvoiceStatus.AWAITING_CONFIRMATION]
    return render_template(
        "invoicing/parent_invoices.html",
        waiting=waiting,
        others=others,
        providers=providers,
        children=children,
        status=PARENT_STATUS,
    )


def _own_invoice(invoice_id: uuid.UUID) -> Invoice:
    return queries.invoice_of_parent(request_session(), g.household.id, invoice_id)


@invoicing_parent.get("/invoices/<uuid:invoice_id>")
@parent_required
def invoice(invoice_id: uuid.UUID) -> ResponseReturnValue:
    row = _own_invoice(invoice_id)
    providers, children = _names([row])
    return render_template(
        "invoicing/parent_invoice.html",
        invoice=row,
        provider=providers[row.provider_id],
        child=children[row.child_id],
        status=PARENT_STATUS,
        form=ConfirmForm(),
        timeline=queries.public_timeline(request_session(), row),
        timeline_labels=PARENT_TIMELINE,
        timeline_by=PARENT_TIMELINE_BY,
        me=str(g.parent.id),
        reasons=REASON_CODES,
        hold_reasons=[PARENT_HOLD_REASONS[flag] for flag in row.flags if flag in PARENT_HOLD_REASONS],
        capped=periods.capped_share(row),
        cap_pence=periods.period_summary(
            request_session(), g.household.id, row.ap_start, row.ap_end
        ).cap_pence,
    )


@invoicing_parent.post("/invoices/<uuid:invoice_id>/confirm")
@parent_required
def confirm(invoice_id: uuid.UUID) -> ResponseReturnValue:
    _own_invoice(invoice_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    confirmed = service.confirm_invoice(request_session(), g.actor, invoice_id)
    if any(flag in PARENT_HOLD_REASONS for flag in confirmed.flags):
        # The claim's facts hold it: no promise of payment, the page says why.
        flash(_("You confirmed the invoice. DWP will check it before it pays anything."))
    else:
        flash(_("You confirmed the invoice. DWP will now check it and pay its share to your provider."))
    return redirect(url_for("invoicing_parent.invoice", invoice_id=invoice_id))


@invoicing_parent.route("/invoices/<uuid:invoice_id>/dispute", methods=["GET", "POST"])
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
            return redirect(url_for("invoicing_parent.invoice", invoice_id=invoice_id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("invoicing/parent_dispute.html", invoice=row, form=form), status


@invoicing_parent.get("/periods")
@invoicing_parent.get("/periods/<date_start>")
@parent_required
def assessment_periods(date_start: str | None = None) -> ResponseReturnValue:
    """One assessment period: its invoices, what DWP pays, what the parent owes, the cap left."""
    parent = g.household
    if parent.claim_start_date is None:
        return redirect(url_for("claimants_parent.link_claim"))
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
        difference=periods.award_difference(request_session(), parent.id, start),
        recent=recent,
        providers=providers,
        children=children,
        status=PARENT_STATUS,
        tag_colour=STATUS_TAG_COLOURS,
    )


def _joint_claim(parent: Parent) -> bool:
    """Whether the claim system says the claim is joint today (a partner may be invited); unknown
    while it cannot be asked, when the partner page says so itself."""
    try:
        facts = ClaimFacts(request_session()).of(parent.uc_claim_reference, today_in_london())
    except ClaimSystemUnavailable:
        return True
    return facts is not None and facts.joint
