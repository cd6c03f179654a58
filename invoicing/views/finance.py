"""DWP staff's invoicing pages at /finance: review, batches, Bacs, breaks, jobs, reports.

Signing in is the ``staff`` package's; the providers' directory is ``providers``'.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from config import audit
from config.auth import StaffRole
from config.database import utcnow
from config.errors import DomainError, MalformedRequest, translated
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from config.scheduler import recent_runs, registry
from invoicing import queries, repository, service
from invoicing.forms import BreakForm, DecisionForm, ReasonForm, ReturnsForm, VoidForm
from invoicing.labels import BREAK_KINDS, FLAG_NAMES, STATUS_TAG_COLOURS
from invoicing.models import InvoiceStatus
from invoicing.service import bacs_returns as bacs_returns_service
from invoicing.service import reconciliation, sending
from staff.labels import ROLE_NAMES
from staff.views.session import staff_required

invoicing_finance = Blueprint(
    "invoicing_finance", __name__, url_prefix="/finance", template_folder="../templates"
)
ALL_STAFF = tuple(StaffRole)
QUEUE_PAGE = 50


@invoicing_finance.context_processor
def staff_page_words() -> dict[str, object]:
    return {"tag_colours": STATUS_TAG_COLOURS}


@invoicing_finance.get("/home")
@staff_required()
def home() -> ResponseReturnValue:
    return render_template(
        "invoicing/finance_home.html",
        actor=g.actor,
        role_names=[ROLE_NAMES[role] for role in sorted(g.actor.roles)],
        counts=repository.work_counts(request_session()),
    )


# --- the review queue ---------------------------------------------------------------------------


@invoicing_finance.get("/queue")
@staff_required(StaffRole.CASEWORKER, StaffRole.AUDITOR)
def queue() -> ResponseReturnValue:
    """Flagged and disputed invoices, oldest first, with how long each has waited, 50 a page."""
    try:
        rows, next_cursor = queries.review_queue(request_session(), QUEUE_PAGE, request.args.get("cursor"))
    except MalformedRequest:
        abort(400)
    return render_template(
        "invoicing/finance_queue.html",
        invoices=rows,
        escalated=queries.escalated_invoices(request_session()),
        flags={flag: str(name) for flag, name in FLAG_NAMES.items()},
        now=utcnow(),
        next_url=url_for(".queue", cursor=next_cursor) if next_cursor else None,
    )


_DECISIONS = {
    "approve": service.approve_invoice,
    "hold": service.hold_invoice,
    "reject": service.reject_invoice,
}


DECIDABLE = frozenset({InvoiceStatus.ON_HOLD, InvoiceStatus.DISPUTED, InvoiceStatus.CONFIRMED})


@invoicing_finance.route("/invoices/<uuid:invoice_id>", methods=["GET", "POST"])
@staff_required(*ALL_STAFF)
def invoice(invoice_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    item, provider, child = queries.invoice_for_staff(db, invoice_id)
    form = DecisionForm()
    can_decide = StaffRole.CASEWORKER in g.actor.roles and item.status in DECIDABLE
    if request.method == "POST":
        g.actor.require_role(StaffRole.CASEWORKER)
        if not can_decide:  # decided already (by someone else, or in another tab): say so, change nothing
            form.form_errors.append(_("This invoice has already been decided: there is nothing to decide"))
        elif form.validate_on_submit():
            try:
                decide = _DECISIONS[form.decision.data or ""]
                decide(db, g.actor, invoice_id, form.note.data or "", form.reason_code.data or "")
            except DomainError as error:
                show_errors(form, error)
            else:
                flash(_("Decision recorded for invoice %(number)s", number=item.invoice_number))
                return redirect(url_for("invoicing_finance.queue"))
    return render_template(
        "invoicing/finance_invoice.html",
        invoice=item,
        provider=provider,
        child=child,
        review=queries.invoice_review(db, item),
        flags=FLAG_NAMES,
        timeline=audit.events_for(db, "invoices", item.id),
        returned_on=queries.invoice_returned_on(db, item.id),
        form=form,
        can_decide=can_decide,
    ), 400 if form.errors or form.form_errors else 200


# --- batches ------------------------------------------------------------------------------------


@invoicing_finance.route("/batches", methods=["GET", "POST"])
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def batches() -> ResponseReturnValue:
    db = request_session()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        batch = service.build_batch(db, g.actor, for_approval=True)
        if batch is None:
            waiting = queries.approved_but_not_payable(db)
            flash(_("There is nothing to pay: no approved invoices from providers DWP can pay now"), "error")
            for name, count in waiting:
                flash(
                    ngettext(
                        "%(name)s: %(num)s approved invoice waits until DWP has verified the provider "
                        "and any new payment details are released and out of their cooling-off period",
                        "%(name)s: %(num)s approved invoices wait until DWP has verified the provider "
                        "and any new payment details are released and out of their cooling-off period",
                        count,
                        name=name,
                    ),
                    "error",
                )
            return redirect(url_for("invoicing_finance.batches"))
        return redirect(url_for("invoicing_finance.batch", batch_id=batch.id))
    return render_template(
        "invoicing/finance_batches.html",
        batches=queries.recent_batches(db),
        form=form,
        can_build=StaffRole.FINANCE_OFFICER in g.actor.roles,
    )


@invoicing_finance.route("/batches/<uuid:batch_id>", methods=["GET", "POST"])
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def batch(batch_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    item, bacs_made = queries.batch_for_staff(db, batch_id)
    cancel_form, void_form = ReasonForm(), VoidForm()
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "cancel" and cancel_form.validate_on_submit():
                service.cancel_batch(db, g.actor, batch_id, cancel_form.reason.data or "")
                flash(_("Batch cancelled: its invoices go into the next batch"))
            elif action == "make_bacs_file" and ConfirmForm().validate_on_submit():
                made = sending.make_bacs_file(db, g.actor, batch_id)
                flash(
                    _("Bacs file %(serial)s made: download it and submit it to the bank", serial=made.serial)
                )
            elif action == "bacs_file_submitted" and ConfirmForm().validate_on_submit():
                sending.record_bacs_file_submitted(db, g.actor, batch_id)
                flash(_("The file is recorded as submitted to the bank: its payments are on their way"))
            elif action == "void_bacs_file" and void_form.validate_on_submit():
                sending.void_bacs_file(db, g.actor, batch_id, void_form.void_reason.data or "")
                flash(_("The Bacs file is voided: make another before submitting"))
            elif action not in _BATCH_ACTIONS:
                abort(400)
        except DomainError as error:
            flash(translated(error.detail), "error")
        if not (cancel_form.errors or void_form.errors):
            return redirect(url_for("invoicing_finance.batch", batch_id=batch_id))
    return render_template(
        "invoicing/finance_batch.html",
        batch=item,
        review=queries.batch_review(db, item),
        form=ConfirmForm(),
        cancel_form=cancel_form,
        void_form=void_form,
        bacs_file=bacs_made,
        has_bacs=any(p.rail.value == "bacs" for p in item.payments),
        payee_problem=service.payee_problem(db, item) if item.status.value in OPEN_BATCH_STATES else None,
        roles=g.actor.roles,
        actor_id=g.actor.staff_id,
    ), 400 if cancel_form.errors or void_form.errors else 200


_BATCH_ACTIONS = {"cancel", "make_bacs_file", "bacs_file_submitted", "void_bacs_file"}
OPEN_BATCH_STATES = ("draft", "awaiting_approval", "approved")


@invoicing_finance.route("/batches/<uuid:batch_id>/approve", methods=["GET", "POST"])
@staff_required(StaffRole.APPROVER)
def approve(batch_id: uuid.UUID) -> ResponseReturnValue:
    """Approving asks once more, saying what is approved: the total and how many providers."""
    db = request_session()
    item, _bacs = queries.batch_for_staff(db, batch_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            service.approve_batch(db, g.actor, batch_id)
        except DomainError as error:
            flash(translated(error.detail), "error")
        else:
            if item.status.value == "approved" and any(p.rail.value == "bacs" for p in item.payments):
                flash(
                    _(
                        "Batch approved and frozen. Next: make its Bacs file, send it to the bank, "
                        "then record it here"
                    )
                )
            elif item.status.value == "approved":
                flash(
                    _(
                        "Batch approved and frozen: the scheduler sends its Stripe payments "
                        "within a few minutes"
                    )
                )
            else:
                flash(_("Your approval is recorded: a second approver must approve this batch too"))
        return redirect(url_for("invoicing_finance.batch", batch_id=batch_id))
    return render_template(
        "invoicing/finance_approve.html",
        batch=item,
        review=queries.batch_review(db, item),
        form=form,
        payee_problem=service.payee_problem(db, item),
    )


@invoicing_finance.get("/payments/<uuid:payment_id>")
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def payment(payment_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    item, provider, invoices = queries.payment_for_staff(db, payment_id)
    returned = dict(queries.returned_before(db, [item.id]).get(item.id, []))
    return render_template(
        "invoicing/finance_payment.html",
        payment=item,
        provider=provider,
        invoices=invoices,
        returned=returned,
    )


@invoicing_finance.get("/batches/<uuid:batch_id>/bacs.txt")
@staff_required(StaffRole.APPROVER)
def bacs_download(batch_id: uuid.UUID) -> ResponseReturnValue:
    """The batch's Bacs file as it was made: downloading changes nothing."""
    made = queries.bacs_file_to_download(request_session(), batch_id)
    filename = f"bacs-{made.created_on:%Y%m%d}-{made.serial:06d}.txt"
    return Response(
        made.content,
        mimetype="text/plain",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@invoicing_finance.route("/bacs-returns", methods=["GET", "POST"])
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.AUDITOR)
def bacs_returns() -> ResponseReturnValue:
    """Import a returns file (it waits for a second officer), and confirm or reject others' imports."""
    db = request_session()
    form = ReturnsForm()
    if request.method == "POST":
        g.actor.require_role(StaffRole.FINANCE_OFFICER)
    if form.validate_on_submit():
        try:
            made = bacs_returns_service.import_bacs_returns(
                db,
                g.actor,
                form.file.data.read().decode("utf-8-sig"),
                form.file.data.filename or "returns.csv",
            )
        except DomainError as error:
            # Every line's problem, each saying its line, against the file (nothing was changed).
            form.file.errors = [translated(e.message) for e in error.errors] or [translated(error.detail)]
        except UnicodeDecodeError:
            form.file.errors = [_("The file must be a CSV saved as UTF-8")]
        else:
            flash(
                ngettext(
                    "%(num)s return matched: another finance officer must confirm it",
                    "%(num)s returns matched: another finance officer must confirm them",
                    len(made.lines),
                )
            )
            return redirect(url_for("invoicing_finance.bacs_returns"))
    return render_template(
        "invoicing/finance_returns.html",
        form=form,
        pending=queries.returns_waiting(db),
        decide=ConfirmForm(),
        actor_id=g.actor.staff_id,
        can_decide=StaffRole.FINANCE_OFFICER in g.actor.roles,
    ), 400 if form.errors or form.form_errors else 200


@invoicing_finance.post("/bacs-returns/<uuid:import_id>")
@staff_required(StaffRole.FINANCE_OFFICER)
def decide_returns(import_id: uuid.UUID) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        try:
            if request.form.get("action") == "confirm":
                bacs_returns_service.confirm_returns_import(request_session(), g.actor, import_id)
                flash(_("Returns confirmed: their invoices go into the next batch"))
            else:
                bacs_returns_service.reject_returns_import(request_session(), g.actor, import_id)
                flash(_("Returns file rejected: nothing was changed"))
        except DomainError as error:
            flash(translated(error.detail), "error")
    return redirect(url_for("invoicing_finance.bacs_returns"))


# --- jobs, breaks, reports ----------------------------------------------------------------------


@invoicing_finance.get("/jobs")
@staff_required(*ALL_STAFF)
def jobs() -> ResponseReturnValue:
    return render_template(
        "invoicing/finance_jobs.html", runs=recent_runs(request_session()), registry=registry().values()
    )


@invoicing_finance.route("/breaks", methods=["GET"])
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def breaks() -> ResponseReturnValue:
    rows, unknown = queries.open_breaks(request_session())
    return render_template(
        "invoicing/finance_breaks.html",
        rows=rows,
        unknown=unknown,
        now=utcnow(),
        form=BreakForm(),
        decide=ConfirmForm(),
        actor_id=g.actor.staff_id,
        can_resolve=StaffRole.FINANCE_OFFICER in g.actor.roles,
        outcomes={choice.value: choice.label for choice in BreakForm().outcome.choices},
        break_kinds=BREAK_KINDS,
        proposal_key=reconciliation.proposal_key,
    )


@invoicing_finance.post("/breaks/<uuid:break_id>/resolve")
@staff_required(StaffRole.FINANCE_OFFICER)
def resolve_break(break_id: uuid.UUID) -> ResponseReturnValue:
    form = BreakForm()
    if form.validate_on_submit():
        try:
            reconciliation.resolve_break(
                request_session(), g.actor, break_id, form.outcome.data or "", form.note.data or ""
            )
        except DomainError as error:
            flash(translated(error.detail), "error")
        else:
            flash(_("Outcome proposed: another finance officer must confirm it"))
    else:
        flash(_(next(iter(form.errors.values()))[0]), "error")
    return redirect(url_for("invoicing_finance.breaks"))


@invoicing_finance.post("/breaks/<uuid:break_id>/decide")
@staff_required(StaffRole.FINANCE_OFFICER)
def decide_break(break_id: uuid.UUID) -> ResponseReturnValue:
    """A second officer confirms or declines a proposed outcome; its proposer may withdraw it."""
    if ConfirmForm().validate_on_submit():
        try:
            if request.form.get("action") == "confirm":
                item = reconciliation.confirm_break_outcome(
                    request_session(), g.actor, break_id, request.form.get("proposal", "")
                )
                flash(
                    _("Break resolved: the payment's invoices go into the next batch")
                    if item.outcome == "sent_again"
                    else _("Break resolved: the payment is settled")
                )
            else:
                reconciliation.decline_break_outcome(request_session(), g.actor, break_id)
                flash(_("Proposed outcome set aside: the break is still open"))
        except DomainError as error:
            flash(translated(error.detail), "error")
    return redirect(url_for("invoicing_finance.breaks"))


from invoicing.views import finance_reports, finance_statements  # noqa: E402  (their routes join the blueprint)

__all__ = ["finance_reports", "finance_statements", "invoicing_finance"]
