"""DWP staff sign in at /finance with the department's identity provider, and sign out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config.errors import DomainError
from config.extensions import request_session
from config.forms import safe_next
from config.oidc import STAFF, begin_sign_in, finish_sign_in, sign_in_failed_page
from staff.service import sign_in_staff
from staff.views.session import current_staff, forget_staff, remember_staff

staff_finance = Blueprint("staff_finance", __name__, url_prefix="/finance")
HOME = "invoicing_finance.home"


@staff_finance.get("")
def index() -> ResponseReturnValue:
    if current_staff() is not None:
        return redirect(url_for(HOME))
    return render_template(
        "area.html",
        heading=_("DWP staff"),
        can_do=[
            _("review flagged and disputed invoices"),
            _("build payment batches and approve batches someone else built"),
            _("see scheduled jobs, payments and reconciliation"),
        ],
        sign_in_url=url_for("staff_finance.sign_in"),
    )


@staff_finance.get("/sign-in")
def sign_in() -> ResponseReturnValue:
    session["after_sign_in"] = safe_next(request.args.get("next"), within=("/finance",))
    return begin_sign_in(STAFF, url_for("staff_finance.callback", _external=True))


@staff_finance.get("/sign-in/callback")
def callback() -> ResponseReturnValue:
    """Every refusal or failure shows "we could not sign you in" with its reason, never a 500."""
    try:
        claims = finish_sign_in(STAFF)
        roles = claims.get("roles") or []
        user = sign_in_staff(
            request_session(),
            subject=str(claims["sub"]),
            email=str(claims.get("email") or ""),
            name=str(claims.get("name") or ""),
            roles=[str(role) for role in roles] if isinstance(roles, list) else [str(roles)],
        )
    except DomainError as error:
        session.pop("after_sign_in", None)
        return sign_in_failed_page(error, url_for("staff_finance.sign_in"))
    after = session.pop("after_sign_in", None)
    remember_staff(user)
    return redirect(after or url_for(HOME))


@staff_finance.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    forget_staff()
    return redirect(url_for("staff_finance.index"))
