"""Registering a setting: GOV.UK question pages, one thing per page, check your answers, confirmation.

Answers are kept on the server as they are given (already checked and tidied), so Back and
Change links work and nothing is registered until the person presses "Register". The session
cookie holds only an opaque token naming the draft (``providers.registration_drafts``); the
password is kept only as its Argon2 hash, and only on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from config.errors import DomainError, ValidationFailed
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from config.notify import looks_like_email
from providers import payees, registration_drafts, repository, service
from providers.accounts import check_new_password, hash_password
from providers.forms import (
    BankForm,
    NewPasswordForm,
    PostcodeForm,
    RegionForm,
    RegistrationNumberForm,
    RegulatorForm,
    SettingNameForm,
    YourDetailsForm,
)
from providers.models import REGULATOR_NAMES, Regulator
from providers.rules import normalise_postcode, normalise_registration_number
from providers.views.session import remember

providers_nursery_registration = Blueprint(
    "providers_nursery_registration", __name__, url_prefix="/provider/register"
)
DRAFT = "registration_draft"  # the session key of the draft's token (nothing else is kept there)


def _answers() -> dict[str, str]:
    return registration_drafts.load_answers(request_session(), session.get(DRAFT))


def _registration_number(form: Any, answers: dict[str, str]) -> dict[str, str]:
    regulator = Regulator(answers["regulator"])
    return {"registration_number": normalise_registration_number(regulator, form.registration_number.data)}


def _postcode(form: Any, answers: dict[str, str]) -> dict[str, str]:
    return {"postcode": normalise_postcode(form.postcode.data)}


def _bank(form: Any, answers: dict[str, str]) -> dict[str, str]:
    bank = payees.check_bank_details(
        payees.BankDetails(
            form.sort_code.data or "", form.account_number.data or "", form.account_name.data or ""
        )
    )
    return {
        "sort_code": bank.sort_code,
        "account_number": bank.account_number,
        "account_name": bank.account_name,
    }


def _your_details(form: Any, answers: dict[str, str]) -> dict[str, str]:
    email = (form.admin_email.data or "").strip().lower()
    if not looks_like_email(email):
        raise ValueError("Enter an email address in the correct format, like name@example.com")
    return {"admin_name": form.admin_name.data.strip(), "admin_email": email}


def _password(form: Any, answers: dict[str, str]) -> dict[str, str]:
    check_new_password(form.password.data or "")
    return {"password_hash": hash_password(form.password.data)}


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[FlaskForm]
    check: Callable[[Any, dict[str, str]], dict[str, str]] | None = None


STEPS = (
    Step("regulator", RegulatorForm),
    Step("registration-number", RegistrationNumberForm, _registration_number),
    Step("name", SettingNameForm),
    Step("postcode", PostcodeForm, _postcode),
    Step("region", RegionForm),
    Step("bank-details", BankForm, _bank),
    Step("your-details", YourDetailsForm, _your_details),
    Step("password", NewPasswordForm, _password),
)
BY_SLUG = {step.slug: step for step in STEPS}


@providers_nursery_registration.get("")
def start() -> ResponseReturnValue:
    return render_template("providers/register_start.html")


@providers_nursery_registration.route("/<slug>", methods=["GET", "POST"])
def question(slug: str) -> ResponseReturnValue:
    step = BY_SLUG.get(slug)
    if step is None:
        abort(404)
    answers = _answers()
    position = STEPS.index(step)
    missing = next((s for s in STEPS[:position] if not _answered(s, answers)), None)
    if missing is not None:
        return redirect(url_for(".question", slug=missing.slug))
    form = step.form(data=None if request.method == "POST" else _prefill(step, answers))
    if form.validate_on_submit():
        try:
            given = {
                name: str(field.data).strip() for name, field in form._fields.items() if name != "csrf_token"
            }
            given.pop("password", None)
            given.update(step.check(form, answers) if step.check else {})
        except ValueError as error:
            field = next(name for name in form._fields if name != "csrf_token")
            getattr(form, field).errors = [_(str(error))]
        except DomainError as error:
            show_errors(form, error)
        else:
            if step.slug == "regulator" and answers.get("regulator") != given["regulator"]:
                answers.pop("registration_number", None)  # a number checked against another regulator
            answers.update(given)
            session[DRAFT] = registration_drafts.save_answers(request_session(), session.get(DRAFT), answers)
            return redirect(_next_page(position, answers))
    back = url_for(".question", slug=STEPS[position - 1].slug) if position else url_for(".start")
    return render_template(
        "question.html",
        form=form,
        caption=_("Register your setting"),
        back_url=back,
        field_params={
            "sort_code": {"classes": "govuk-input--width-5", "inputmode": "numeric", "spellcheck": False},
            "account_number": {
                "classes": "govuk-input--width-10",
                "inputmode": "numeric",
                "spellcheck": False,
            },
            "postcode": {"classes": "govuk-input--width-10", "autocomplete": "postal-code"},
            "registration_number": {"classes": "govuk-input--width-10", "spellcheck": False},
            "admin_email": {"type": "email", "autocomplete": "email", "spellcheck": False},
            "admin_name": {"autocomplete": "name"},
            "password": {"autocomplete": "new-password"},
        },
        heading=_("Bank details for DWP payments") if step.slug == "bank-details" else _("Your details"),
        intro=[_("DWP pays your invoices into this account.")] if step.slug == "bank-details" else [],
    ), 400 if form.errors or form.form_errors else 200


def _answered(step: Step, answers: dict[str, str]) -> bool:
    keys = {"password": "password_hash", "bank-details": "sort_code"}
    key = keys.get(step.slug) or next(name for name in step.form()._fields if name != "csrf_token")
    return key in answers


def _prefill(step: Step, answers: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in answers.items() if key != "password_hash"}


def _next_page(position: int, answers: dict[str, str]) -> str:
    following = next((s for s in STEPS[position + 1 :] if not _answered(s, answers)), None)
    return url_for(".question", slug=following.slug) if following else url_for(".check_answers")


@providers_nursery_registration.route("/check-answers", methods=["GET", "POST"])
def check_answers() -> ResponseReturnValue:
    answers = _answers()
    missing = next((s for s in STEPS if not _answered(s, answers)), None)
    if missing is not None:
        return redirect(url_for(".question", slug=missing.slug))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            provider = service.register_provider(request_session(), _registration(answers))
        except (DomainError, ValidationFailed) as error:
            show_errors(form, error)
        else:
            admin = repository.get_user(request_session(), provider.users[0].id)
            registration_drafts.forget(request_session(), session.get(DRAFT))
            remember(admin)
            session["registered_provider"] = provider.name
            return redirect(url_for(".done"))
    return render_template(
        "providers/register_check.html", form=form, sections=_summary(answers)
    ), 400 if form.form_errors else 200


def _summary(answers: dict[str, str]) -> list[tuple[str, list[dict[str, object]]]]:
    def row(label: str, value: str, slug: str) -> dict[str, object]:
        change = {"href": url_for(".question", slug=slug), "text": _("Change"), "visuallyHiddenText": label}
        return {"key": {"text": label}, "value": {"text": value}, "actions": {"items": [change]}}

    sort_code = answers["sort_code"]
    return [
        (
            _("Your setting"),
            [
                row(_("Registered with"), REGULATOR_NAMES[Regulator(answers["regulator"])], "regulator"),
                row(_("Registration number"), answers["registration_number"], "registration-number"),
                row(_("Name"), answers["name"], "name"),
                row(_("Postcode"), answers["postcode"], "postcode"),
                row(_("Part of the UK"), answers["region"], "region"),
            ],
        ),
        (
            _("Bank details"),
            [
                row(_("Name on the account"), answers["account_name"], "bank-details"),
                row(_("Sort code"), f"{sort_code[:2]} {sort_code[2:4]} {sort_code[4:]}", "bank-details"),
                row(_("Account number"), answers["account_number"], "bank-details"),
            ],
        ),
        (
            _("You"),
            [
                row(_("Your name"), answers["admin_name"], "your-details"),
                row(_("Email address"), answers["admin_email"], "your-details"),
                row(_("Password"), "••••••••••", "password"),
            ],
        ),
    ]


def _registration(answers: dict[str, str]) -> service.Registration:
    return service.Registration(
        name=answers["name"],
        regulator=Regulator(answers["regulator"]),
        registration_number=answers["registration_number"],
        postcode=answers["postcode"],
        address="",
        region=answers["region"],
        bank=payees.BankDetails(answers["sort_code"], answers["account_number"], answers["account_name"]),
        admin_name=answers["admin_name"],
        admin_email=answers["admin_email"],
        admin_password_hash=answers["password_hash"],
    )


@providers_nursery_registration.get("/done")
def done() -> ResponseReturnValue:
    name = session.get("registered_provider")
    if not name:
        return redirect(url_for(".start"))
    return render_template("providers/register_done.html", name=name)
