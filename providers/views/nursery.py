"""The nursery portal at /provider: signing in, security codes, the team and bank details
(nursery software, API clients and webhooks, are in ``nursery_software``)."""

from __future__ import annotations

import base64
import io
import uuid

import segno
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from config import language, settings
from config.errors import DomainError, translated
from config.extensions import request_session
from config.forms import ConfirmForm, safe_next, show_errors
from config.limits import take_quota
from providers import accounts, payees, repository
from providers.forms import (
    BankForm,
    CodeForm,
    NewPasswordForm,
    SignInForm,
)
from providers.models import ProviderUser
from providers.views.session import PENDING_KEY, current_provider_user, provider_required, remember

providers_nursery = Blueprint(
    "providers_nursery", __name__, url_prefix="/provider", template_folder="../templates"
)
SETUP_SECRET = "provider_totp_setup"  # noqa: S105 - the session key, not a secret


@providers_nursery.get("")
def index() -> ResponseReturnValue:
    if current_provider_user() is not None:
        return redirect(url_for("providers_nursery.home"))
    return render_template(
        "providers/index.html",
        can_do=[
            _("register your setting with its regulator number and bank details"),
            _("ask parents for consent to invoice DWP for their children"),
            _("submit invoices one at a time, by spreadsheet upload, or from your nursery software"),
            _("see each invoice's progress and what DWP has paid you"),
        ],
    )


@providers_nursery.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        _count_attempt_on(form.email.data or "")
        try:
            user = accounts.check_password(
                request_session(), form.email.data or "", form.password.data or "", request.remote_addr or ""
            )
        except DomainError as error:
            form.form_errors.append(translated(error.detail))
        else:
            after = safe_next(request.args.get("next"), within=("/provider",))
            if user.totp_secret:
                language.clear_session(signing_out=False)
                session[PENDING_KEY] = str(user.id)
                session["after_sign_in"] = after
                return redirect(url_for("providers_nursery.enter_code"))
            remember(user)
            return redirect(after or url_for("providers_nursery.home"))
    return render_template(
        "providers/sign_in.html",
        form=form,
        heading=_("Sign in to Childcare Direct"),
        button=_("Sign in"),
        field_params={
            "email": {"type": "email", "autocomplete": "username", "spellcheck": False},
            "password": {"autocomplete": "current-password"},
        },
        intro=[],
    ), 400 if form.errors or form.form_errors else 200


def _count_attempt_on(account: str) -> None:
    """Sign-in attempts per account, from any address (429 past the limit): the per-address
    limit alone would let guesses spread over many addresses through."""
    take_quota(
        "sign-in-account",
        [(account.strip().lower(), settings.current().rate_limit_sign_in_account)],
        _("Too many attempts to sign in to this account. Wait a minute, then try again."),
    )


@providers_nursery.route("/sign-in/code", methods=["GET", "POST"])
def enter_code() -> ResponseReturnValue:
    pending = session.get(PENDING_KEY)
    if not pending:
        return redirect(url_for("providers_nursery.sign_in"))
    user = repository.get_user(request_session(), uuid.UUID(pending))
    form = CodeForm()
    if form.validate_on_submit():
        _count_attempt_on(user.email)
        try:
            accounts.check_second_factor(
                request_session(), user.id, form.code.data or "", request.remote_addr or ""
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            after = session.get("after_sign_in")
            remember(user)
            return redirect(after or url_for("providers_nursery.home"))
    return render_template(
        "question.html",
        form=form,
        title=_("Enter your security code"),
        button=_("Continue"),
        field_params={
            "code": {
                "classes": "govuk-input--width-5",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
            }
        },
        intro=[_("Development only: the code now is %(code)s", code=code)]
        if (code := accounts.development_code(user.totp_secret))
        else [],
    ), 400 if form.errors else 200


@providers_nursery.route("/security-code/set-up", methods=["GET", "POST"])
@provider_required()
def set_up_code() -> ResponseReturnValue:
    """Everyone sets up an authenticator app, then sees their recovery codes once."""
    user: ProviderUser = g.provider_user
    secret = session.get(SETUP_SECRET) or accounts.new_totp_secret()
    session[SETUP_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = accounts.set_up_second_factor(request_session(), g.actor, secret, form.code.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            session.pop(SETUP_SECRET, None)
            flash(_("Your security code is set up. You will need it each time you sign in."))
            return _show_recovery_codes(codes, replaced=False)
    return render_template(
        "providers/set_up_code.html",
        form=form,
        secret=secret,
        qr_code=_qr_svg(accounts.totp_uri(user, secret)),
        development_code=accounts.development_code(secret),
    ), 400 if form.errors else 200


@providers_nursery.route("/security-code/recovery-codes", methods=["GET", "POST"])
@provider_required()
def new_recovery_codes() -> ResponseReturnValue:
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = accounts.replace_recovery_codes(
                request_session(), g.actor, form.code.data or "", request.remote_addr or ""
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            return _show_recovery_codes(codes, replaced=True)
    development = accounts.development_code(g.provider_user.totp_secret)
    return render_template(
        "question.html",
        form=form,
        title=_("Get new recovery codes"),
        button=_("Get new recovery codes"),
        field_params={"code": {"classes": "govuk-input--width-10", "autocomplete": "one-time-code"}},
        intro=[_("Your current recovery codes will stop working as soon as you get new ones.")]
        + ([_("Development only: the code now is %(code)s", code=development)] if development else []),
    ), 400 if form.errors else 200


def _show_recovery_codes(codes: list[str], *, replaced: bool) -> ResponseReturnValue:
    """The codes are in this one answer only (their hashes are kept, never they)."""
    page = render_template("providers/recovery_codes.html", codes=codes, replaced=replaced)
    return page, 200, {"Cache-Control": "no-store"}


def _qr_svg(uri: str) -> str:
    """The authenticator link as an inline SVG QR code (base64, for an img src data: URI)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, nl=False)
    return base64.b64encode(out.getvalue()).decode()


@providers_nursery.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    language.clear_session()
    flash(_("You have signed out"))
    return redirect(url_for("providers_nursery.index"))


@providers_nursery.post("/sign-out-everywhere")
@provider_required()
def sign_out_everywhere() -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        accounts.sign_out_everywhere(request_session(), g.actor)
        language.clear_session()
        flash(_("You have signed out on every device"))
    return redirect(url_for("providers_nursery.index"))


@providers_nursery.get("/home")
@provider_required()
def home() -> ResponseReturnValue:
    provider = repository.get_provider(request_session(), g.actor.provider_id)
    # What other packages show here (invoicing's "what needs doing"), offered through the app so
    # that providers never imports them (see invoicing.views.nursery.dashboard).
    panels = [Markup(panel()) for panel in current_app.extensions.get("nursery_home_panels", [])]  # noqa: S704 - our own rendered templates
    return render_template(
        "providers/home.html", provider=provider, user=g.provider_user, form=ConfirmForm(), panels=panels
    )


@providers_nursery.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> ResponseReturnValue:
    invitation = accounts.find_invitation(request_session(), token)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(request_session(), token, form.password.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            remember(user)
            flash(_("Welcome to Childcare Direct"))
            return redirect(url_for("providers_nursery.home"))
    return render_template(
        "question.html",
        form=form,
        caption=invitation.email,
        button=_("Create account"),
        field_params={"password": {"autocomplete": "new-password"}},
    ), 400 if form.errors else 200


@providers_nursery.route("/bank-details", methods=["GET", "POST"])
@provider_required(admin=True)
def bank_details() -> ResponseReturnValue:
    """New bank details: DWP holds payments for the cooling-off period and until it releases them."""
    form = BankForm()
    if form.validate_on_submit():
        try:
            payee = payees.change_payee(
                request_session(),
                g.actor,
                g.actor.provider_id,
                payees.BankDetails(
                    form.sort_code.data or "", form.account_number.data or "", form.account_name.data or ""
                ),
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            cooling_off = payee.hold_until is not None and payee.hold_until > payee.created_at
            flash(
                ngettext(
                    "We have your new bank details. DWP holds payments to you until it has checked them, "
                    "which takes at least %(num)s day.",
                    "We have your new bank details. DWP holds payments to you until it has checked them, "
                    "which takes at least %(num)s days.",
                    settings.current().bank_change_cooling_off_days,
                )
                if cooling_off
                else _("We have your new bank details. DWP will check them before it pays you.")
            )
            return redirect(url_for("providers_nursery.home"))
    account = repository.current_payee(request_session(), g.actor.provider_id)
    return render_template(
        "question.html",
        form=form,
        heading=_("Change your bank details"),
        intro=[
            _("DWP pays into the account ending %(last)s.", last=(account.account_number or "")[-4:])
            if account and account.account_number
            else _("DWP pays you through Stripe Connect.")
            if account
            else _("DWP has no bank account for you yet."),
            _("For your protection, DWP holds payments after a change until it has checked the new details."),
        ],
        button=_("Change bank details"),
        back_url=url_for("providers_nursery.home"),
        field_params={
            "sort_code": {"classes": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": False},
            "account_number": {
                "classes": "govuk-input--width-10",
                "inputmode": "numeric",
                "spellcheck": False,
            },
        },
    ), 400 if form.errors or form.form_errors else 200


# The team and nursery software (API clients, webhooks) pages are on this blueprint too.
from providers.views import nursery_software as _nursery_software  # noqa: E402, F401
from providers.views import nursery_team as _nursery_team  # noqa: E402, F401
