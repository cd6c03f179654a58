"""Forgotten passwords at /provider/password-reset: ask for a link, then choose a new password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config import settings
from config.errors import N_, DomainError, NotFound
from config.extensions import request_session
from config.forms import show_errors
from config.limits import take_quota
from providers import password_reset
from providers.forms import EmailForm, NewPasswordForm

providers_nursery_password = Blueprint(
    "providers_nursery_password",
    __name__,
    url_prefix="/provider/password-reset",
    template_folder="../templates",
)
SENT = N_(
    "If there is an account for that email address, we have emailed it a link to reset the password. "
    "The link works once, for 1 hour."
)


@providers_nursery_password.route("", methods=["GET", "POST"])
def ask() -> ResponseReturnValue:
    """The same answer whether or not the address has an account (limited per address and per
    account, so it is no way to flood someone's inbox)."""
    form = EmailForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        take_quota(
            "password-reset",
            [(email, settings.current().rate_limit_sign_in_account)],
            _("Too many requests to reset this account's password. Wait a minute, then try again."),
        )
        password_reset.request_password_reset(
            request_session(),
            email,
            url_for("providers_nursery_password.choose", token="", _external=True).rstrip("/"),
        )
        flash(_(SENT))
        return redirect(url_for("providers_nursery.sign_in"))
    return render_template(
        "question.html",
        form=form,
        heading=_("Reset your password"),
        title=_("Reset your password"),
        caption=_("Reset your password"),
        intro=[_("We will email you a link to choose a new password.")],
        button=_("Send the link"),
        back_url=url_for("providers_nursery.sign_in"),
        field_params={"email": {"type": "email", "autocomplete": "username", "spellcheck": False}},
    ), 400 if form.errors else 200


@providers_nursery_password.route("/<token>", methods=["GET", "POST"])
def choose(token: str) -> ResponseReturnValue:
    try:
        password_reset.find_reset(request_session(), token)
    except NotFound:  # spent, expired or made up: the same page, and a way on
        return render_template("providers/reset_link_gone.html"), 404, {"Referrer-Policy": "no-referrer"}
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(request_session(), token, form.password.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("Your password is reset and you are signed out everywhere. Sign in with it now."))
            return redirect(url_for("providers_nursery.sign_in"))
    return (
        render_template(
            "question.html",
            form=form,
            button=_("Reset password"),
            field_params={"password": {"autocomplete": "new-password"}},
        ),
        400 if form.errors else 200,
        {"Referrer-Policy": "no-referrer"},
    )
