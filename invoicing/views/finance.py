"""DWP staff pages at /finance: sign-in with the department's identity provider, then work."""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select, text

from claimants.models import Child
from config import audit
from config.auth import StaffRole
from config.csv_files import csv_download
from config.database import utcnow
from config.errors import DomainError, MalformedRequest
from config.extensions import request_session
from config.formatting import london_date
from config.forms import ConfirmForm, show_errors
from config.oidc import STAFF, begin_sign_in, finish_sign_in
from config.pagination import page
from config.scheduler import recent_runs, registry
from config.staff import current_staff, forget_staff, remember_staff, sign_in_staff, staff_required
from invoicing import repository, service
from invoicing.forms import BreakForm, DecisionForm, ReasonForm, ReturnsForm
from invoicing.models import (
    REVIEW_PREDICATE,
    BacsFile,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentBatch,
    PaymentStatus,
    ReconciliationBreak,
)
from invoicing.service import reconciliation, sending
from providers import repository as providers_repository
from providers import service as providers_service
from providers.models import BankAccount, Provider, ProviderStatus

invoicing_finance = Blueprint(
    "invoicing_finance", __name__, url_prefix="/finance", template_folder="../templates"
)
ROLE_NAMES = {
    StaffRole.CASEWORKER: lazy_gettext("Caseworker"),
    StaffRole.FINANCE_OFFICER: lazy_gettext("Finance officer"),
    StaffRole.APPROVER: lazy_gettext("Approver"),
    StaffRole.AUDITOR: lazy_gettext("Auditor"),
}


@invoicing_finance.get("")
def index() -> ResponseReturnValue:
    if current_staff() is not None:
        return redirect(url_for("invoicing_finance.home"))
    return render_template(
        "area.html",
        heading=_("DWP staff"),
        can_do=[
            _("review flagged and disputed invoices"),
            _("build payment batches and approve batches someone else built"),
            _("see scheduled jobs, payments and reconciliation"),
        ],
        sign_in_url=url_for("invoicing_finance.sign_in"),
    )


@invoicing_finance.get("/sign-in")
def sign_in() -> ResponseReturnValue:
    target = request.args.get("next")
    session["after_sign_in"] = target if target and target.startswith("/finance") else None
    return begin_sign_in(STAFF, url_for("invoicing_finance.callback", _external=True))


@invoicing_finance.get("/sign-in/callback")
def callback() -> ResponseReturnValue:
    claims = finish_sign_in(STAFF)
    roles = claims.get("roles") or []
    user = sign_in_staff(
        request_session(),
        subject=claims["sub"],
        email=claims.get("email", ""),
        name=claims.get("name", ""),
        roles=list(roles) if isinstance(roles, list) else [str(roles)],
    )
    after = session.pop("after_sign_in", None)
    remember_staff(user)
    return redirect(after or url_for("invoicing_finance.home"))


@invoicing_finance.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    forget_staff()
    return redirect(url_for("invoicing_finance.index"))


@invoicing_finance.get("/home")
@staff_required()
def home() -> ResponseReturnValue:
    db = request_session()
    return render_template(
        "invoicing/finance_home.html",
        actor=g.actor,
        role_names=[ROLE_NAMES[role] for role in sorted(g.actor.roles)],
        counts=repository.work_counts(db),
    )


# --- the review queue ---------------------------------------------------------------------------

ALL_STAFF = tuple(StaffRole)
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


QUEUE_PAGE = 50


@invoicing_finance.get("/queue")
@staff_required(StaffRole.CASEWORKER, StaffRole.AUDITOR)
def queue() -> ResponseReturnValue:
    """Flagged and disputed invoices, oldest first, with how long each has waited, 50 a page."""
    # The queue's own partial index answers this: its predicate, as literal SQL, is the index's.
    waiting = select(Invoice).where(text(REVIEW_PREDICATE))
    cursor = request.args.get("cursor")
    try:
        rows, next_cursor = page(
            request_session(), waiting, Invoice.updated_at, Invoice.id, QUEUE_PAGE, cursor, oldest_first=True
        )
    except MalformedRequest:
        abort(400)
    return render_template(
        "invoicing/finance_queue.html",
        invoices=rows,
        flags={flag: str(name) for flag, name in FLAG_NAMES.items()},
        now=utcnow(),
        next_url=url_for(".queue", cursor=next_cursor) if next_cursor else None,
    )


def _invoice(invoice_id: uuid.UUID) -> Invoice:
    item = request_session().get(Invoice, invoice_id)
    if item is None:
        abort(404)
    return item


@invoicing_finance.route("/invoices/<uuid:invoice_id>", methods=["GET", "POST"])
@staff_required(*ALL_STAFF)
def invoice(invoice_id: uuid.UUID) -> ResponseReturnValue:
    item = _invoice(invoice_id)
    db = request_session()
    form = DecisionForm()
    if request.method == "POST":
        g.actor.require_role(StaffRole.CASEWORKER)
        if form.validate_on_submit():
            reason = f"{form.reason_code.data}: {form.note.data}"
            decide = {
                "approve": service.approve_invoice,
                "hold": service.hold_invoice,
                "reject": service.reject_invoice,
            }[form.decision.data or ""]
            try:
                decide(db, g.actor, invoice_id, reason)
            except DomainError as error:
                show_errors(form, error)
            else:
                flash(_("Decision recorded for invoice %(number)s", number=item.invoice_number))
                return redirect(url_for("invoicing_finance.queue"))
    provider = db.get_one(Provider, item.provider_id)
    return render_template(
        "invoicing/finance_invoice.html",
        invoice=item,
        provider=provider,
        child=db.get_one(Child, item.child_id),
        flags=FLAG_NAMES,
        timeline=audit.events_for(db, "invoices", item.id),
        form=form,
        can_decide=StaffRole.CASEWORKER in g.actor.roles
        and item.status in {InvoiceStatus.ON_HOLD, InvoiceStatus.DISPUTED, InvoiceStatus.CONFIRMED},
    ), 400 if form.errors or form.form_errors else 200


# --- providers ----------------------------------------------------------------------------------


@invoicing_finance.get("/providers")
@staff_required(*ALL_STAFF)
def providers() -> ResponseReturnValue:
    db = request_session()
    pending = db.scalars(
        select(Provider)
        .where(Provider.status == ProviderStatus.PENDING_VERIFICATION)
        .order_by(Provider.created_at)
    ).all()
    held = db.execute(
        select(Provider, BankAccount)
        .join(BankAccount, BankAccount.provider_id == Provider.id)
        .where(BankAccount.is_current, BankAccount.hold_until.is_not(None), BankAccount.released_at.is_(None))
        .order_by(BankAccount.created_at)
    ).all()
    return render_template("invoicing/finance_providers.html", pending=pending, held=held, now=utcnow())


@invoicing_finance.route("/providers/<uuid:provider_id>", methods=["GET", "POST"])
@staff_required(*ALL_STAFF)
def provider(provider_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    item = db.get(Provider, provider_id)
    if item is None:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        action = request.form.get("action")
        try:
            if action == "verify":
                providers_service.verify_provider(db, g.actor, provider_id)
                flash(_("%(name)s is verified and can send invoices", name=item.name))
            elif action == "release":
                providers_service.release_bank_details(db, g.actor, provider_id)
                flash(_("The new bank details are released"))
            elif action == "stripe":
                connected = (request.form.get("stripe_account") or "").strip()
                if not re.fullmatch(r"acct_[A-Za-z0-9]{1,60}", connected):
                    flash(_("Enter a connected account ID, like acct_1Nv0FGQ9RKHgCVdK"))
                else:
                    providers_service.set_stripe_account(db, g.actor, provider_id, connected)
                    flash(_("%(name)s is now paid through Stripe Connect", name=item.name))
            else:
                abort(400)
        except DomainError as error:
            flash(_(error.detail))
        return redirect(url_for("invoicing_finance.provider", provider_id=provider_id))
    account = providers_repository.current_bank_account(db, provider_id)
    return render_template(
        "invoicing/finance_provider.html",
        provider=item,
        account=account,
        form=form,
        events=audit.events_for(db, "providers", item.id),
    )


# --- batches ------------------------------------------------------------------------------------


@invoicing_finance.route("/batches", methods=["GET", "POST"])
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def batches() -> ResponseReturnValue:
    db = request_session()
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        batch = service.build_batch(db, g.actor, for_approval=True)
        if batch is None:
            flash(_("There is nothing to pay: no approved invoices from payable providers"))
            return redirect(url_for("invoicing_finance.batches"))
        return redirect(url_for("invoicing_finance.batch", batch_id=batch.id))
    rows = db.scalars(select(PaymentBatch).order_by(PaymentBatch.built_at.desc()).limit(100)).all()
    return render_template(
        "invoicing/finance_batches.html",
        batches=rows,
        form=form,
        can_build=StaffRole.FINANCE_OFFICER in g.actor.roles,
    )


@invoicing_finance.route("/batches/<uuid:batch_id>", methods=["GET", "POST"])
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def batch(batch_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    item = db.get(PaymentBatch, batch_id)
    if item is None:
        abort(404)
    cancel_form = ReasonForm()
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "approve" and ConfirmForm().validate_on_submit():
                service.approve_batch(db, g.actor, batch_id)
                flash(_("Batch approved: it is frozen and will be paid"))
            elif action == "cancel" and cancel_form.validate_on_submit():
                service.cancel_batch(db, g.actor, batch_id, cancel_form.reason.data or "")
                flash(_("Batch cancelled: its invoices go into the next batch"))
            elif action not in {"approve", "cancel"}:
                abort(400)
        except DomainError as error:
            flash(_(error.detail))
        if not cancel_form.errors:
            return redirect(url_for("invoicing_finance.batch", batch_id=batch_id))
    names = providers_repository.providers_by_id(db, {p.provider_id for p in item.payments})
    bacs_made = db.scalars(select(BacsFile).where(BacsFile.batch_id == batch_id)).one_or_none()
    return render_template(
        "invoicing/finance_batch.html",
        batch=item,
        providers=names,
        form=ConfirmForm(),
        cancel_form=cancel_form,
        bacs_file=bacs_made,
        has_bacs=any(p.rail.value == "bacs" for p in item.payments),
        roles=g.actor.roles,
        actor_id=g.actor.staff_id,
    ), 400 if cancel_form.errors else 200


@invoicing_finance.get("/batches/<uuid:batch_id>/bacs.txt")
@staff_required(StaffRole.APPROVER)
def bacs_download(batch_id: uuid.UUID) -> ResponseReturnValue:
    made = sending.bacs_file(request_session(), g.actor, batch_id)
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
@staff_required(StaffRole.FINANCE_OFFICER)
def bacs_returns() -> ResponseReturnValue:
    form = ReturnsForm()
    if form.validate_on_submit():
        try:
            counts = reconciliation.import_bacs_returns(
                request_session(), g.actor, form.file.data.read().decode("utf-8-sig")
            )
        except (DomainError, UnicodeDecodeError) as error:
            if isinstance(error, DomainError):
                show_errors(form, error)
            else:
                form.file.errors = [_("The file must be a CSV saved as UTF-8")]
        else:
            flash(_("%(count)s returned payments recorded", count=counts["returned"]))
            return redirect(url_for("invoicing_finance.breaks"))
    return render_template(
        "invoicing/finance_upload.html", form=form, heading=_("Import Bacs returns")
    ), 400 if form.errors or form.form_errors else 200


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
    db = request_session()
    rows = db.execute(
        select(ReconciliationBreak, Payment)
        .join(Payment, Payment.id == ReconciliationBreak.payment_id)
        .where(ReconciliationBreak.resolved_at.is_(None))
        .order_by(ReconciliationBreak.opened_at)
    ).all()
    unknown = db.scalars(select(Payment).where(Payment.status == PaymentStatus.UNKNOWN)).all()
    return render_template(
        "invoicing/finance_breaks.html", rows=rows, unknown=unknown, now=utcnow(), form=BreakForm()
    )


@invoicing_finance.post("/breaks/<uuid:break_id>/resolve")
@staff_required(StaffRole.FINANCE_OFFICER)
def resolve_break(break_id: uuid.UUID) -> ResponseReturnValue:
    form = BreakForm()
    if form.validate_on_submit():
        try:
            reconciliation.resolve_break(request_session(), g.actor, break_id, form.note.data or "")
            flash(_("Break resolved"))
        except DomainError as error:
            flash(_(error.detail))
    else:
        flash(_("Enter what you found and did"))
    return redirect(url_for("invoicing_finance.breaks"))


@invoicing_finance.get("/reports")
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def reports() -> ResponseReturnValue:
    db = request_session()
    by_period = db.execute(
        select(Invoice.ap_start, func.sum(Invoice.dwp_pence), func.count())
        .where(Invoice.status == InvoiceStatus.PAID)
        .group_by(Invoice.ap_start)
        .order_by(Invoice.ap_start.desc())
        .limit(12)
    ).all()
    by_region = db.execute(
        select(Provider.region, func.sum(Invoice.dwp_pence), func.count())
        .join(Provider, Provider.id == Invoice.provider_id)
        .where(Invoice.status == InvoiceStatus.PAID)
        .group_by(Provider.region)
        .order_by(func.sum(Invoice.dwp_pence).desc())
    ).all()
    return render_template(
        "invoicing/finance_reports.html",
        by_period=[
            (london_date(start), int(total or 0), count) for start, total, count in reversed(by_period)
        ],
        by_region=[(region or _("Not known"), int(total or 0), count) for region, total, count in by_region],
    )


@invoicing_finance.get("/reports/<any(batches, payments, invoices):kind>.csv")
@staff_required(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
def export(kind: str) -> ResponseReturnValue:
    db = request_session()
    if kind == "batches":
        header = ["batch_id", "status", "payment_date", "payments", "invoices", "total_pence", "content_hash"]
        rows: Any = (
            [
                b.id,
                b.status.value,
                b.payment_date,
                b.payment_count,
                b.invoice_count,
                b.total_pence,
                b.content_hash,
            ]
            for b in db.scalars(select(PaymentBatch).order_by(PaymentBatch.built_at)).yield_per(1000)
        )
    elif kind == "payments":
        header = [
            "payment_id",
            "batch_id",
            "provider_id",
            "reference",
            "rail",
            "status",
            "amount_pence",
            "credit_pence",
            "rail_reference",
        ]
        rows = (
            [
                p.id,
                p.batch_id,
                p.provider_id,
                p.reference,
                p.rail.value,
                p.status.value,
                p.amount_pence,
                p.credit_pence,
                p.rail_reference,
            ]
            for p in db.scalars(select(Payment).order_by(Payment.created_at)).yield_per(1000)
        )
    else:
        header = [
            "invoice_id",
            "provider_id",
            "invoice_number",
            "status",
            "care_from",
            "care_to",
            "total_pence",
            "dwp_pence",
            "claimant_pence",
            "flags",
        ]
        rows = (
            [
                i.id,
                i.provider_id,
                i.invoice_number,
                i.status.value,
                i.care_from,
                i.care_to,
                i.total_pence,
                i.dwp_pence,
                i.claimant_pence,
                " ".join(i.flags),
            ]
            for i in db.scalars(select(Invoice).order_by(Invoice.created_at)).yield_per(1000)
        )
    return csv_download(f"{kind}.csv", header, rows)
