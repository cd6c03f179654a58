"""DWP staff pages at /finance: sign-in with the department's identity provider, then work."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from config.auth import StaffRole
from config.extensions import request_session
from config.oidc import STAFF, begin_sign_in, finish_sign_in
from config.staff import current_staff, forget_staff, remember_staff, sign_in_staff, staff_required
from invoicing import repository

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
