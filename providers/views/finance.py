"""DWP staff's provider pages at /finance/providers: settings waiting for verification, bank
details on hold, and each provider's record with the actions DWP takes on it."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from config import audit, local_authorities
from config.auth import StaffRole
from config.database import utcnow
from config.errors import DomainError, MalformedRequest, translated
from config.extensions import request_session
from config.forms import ConfirmForm, GovForm, GovSelect, show_errors
from providers import local_authority, payees, repository, service
from providers.forms import DirectorySearchForm
from providers.labels import PROVIDER_STATUS_TAG
from providers.models import IN_ENGLAND, REGULATOR_NAMES, Provider
from staff.views.session import staff_required

providers_finance = Blueprint(
    "providers_finance", __name__, url_prefix="/finance/providers", template_folder="../templates"
)
ALL_STAFF = tuple(StaffRole)


DIRECTORY_PAGE = 50


class LocalAuthorityForm(GovForm):
    """The provider's local authority, chosen from the list (checked by ``set_local_authority``)."""

    local_authority = SelectField(_l("Local authority"), widget=GovSelect())


def _local_authority_form(provider: Provider, chosen: str | None) -> LocalAuthorityForm:
    form = LocalAuthorityForm(formdata=None)
    form.local_authority.choices = [SelectChoice("", _("Choose a local authority"))] + [
        SelectChoice(each.gss_code, each.name) for each in local_authorities.authorities()
    ]
    form.local_authority.data = chosen or ""
    form.local_authority.description = _(
        "The council that runs early years funding where the setting is, from its postcode "
        "(%(postcode)s). Children's details for councils are grouped by it.",
        postcode=provider.postcode,
    )
    return form


@providers_finance.context_processor
def staff_page_words() -> dict[str, object]:
    return {"provider_tags": PROVIDER_STATUS_TAG}


@providers_finance.get("")
@staff_required(*ALL_STAFF)
def providers() -> ResponseReturnValue:
    """Work waiting (settings to verify, payment details on hold), then every provider, newest
    first, searched by name, registration number or postcode (a GET form), 50 a page."""
    db = request_session()
    form = DirectorySearchForm(formdata=request.args)
    words = (form.q.data or "").strip() if form.validate() else ""
    try:
        directory, next_cursor = repository.provider_directory(
            db, words, DIRECTORY_PAGE, request.args.get("cursor")
        )
    except MalformedRequest:
        abort(400)
    return render_template(
        "providers/finance_providers.html",
        pending=repository.waiting_for_verification(db) if not words else [],
        held=repository.payees_on_hold(db) if not words else [],
        form=form,
        words=words,
        directory=directory,
        next_url=url_for(".providers", q=words or None, cursor=next_cursor) if next_cursor else None,
        now=utcnow(),
    ), 400 if form.errors else 200


@providers_finance.route("/<uuid:provider_id>", methods=["GET", "POST"])
@staff_required(*ALL_STAFF)
def provider(provider_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    item = repository.get_provider(db, provider_id)
    form = ConfirmForm()
    authority_form = _local_authority_form(item, item.local_authority_code)
    if request.method == "POST" and form.validate_on_submit():
        action, form_data = request.form.get("action"), request.form
        reason = form_data.get("reason") or ""
        try:
            if action == "check":
                service.check_provider(db, g.actor, provider_id)
                flash(_("Checks recorded: someone else must now verify %(name)s", name=item.name))
            elif action == "verify":
                service.verify_provider(db, g.actor, provider_id)
                flash(_("%(name)s is verified and can send invoices", name=item.name))
            elif action == "local_authority":
                if local_authority.set_local_authority(
                    db, g.actor, provider_id, form_data.get("local_authority") or ""
                ):
                    flash(_("Local authority recorded for %(name)s", name=item.name))
                else:
                    flash(_("The local authority was already recorded"))
            elif action == "release":
                payees.release_payee(db, g.actor, provider_id, _payee_id(form_data.get("payee_id")))
                flash(_("The new payment details are released"))
            elif action in ("stripe", "bank"):
                destination: payees.Destination = (
                    payees.StripeAccount(form_data.get("stripe_account") or "")
                    if action == "stripe"
                    else payees.BankDetails(
                        form_data.get("sort_code") or "",
                        form_data.get("account_number") or "",
                        form_data.get("account_name") or "",
                    )
                )
                payee = payees.change_payee(db, g.actor, provider_id, destination, reason)
                flash(
                    _(
                        "Recorded: %(name)s is paid to %(where)s once someone else releases the change",
                        name=item.name,
                        where=payee.destination,
                    )
                )
            else:
                abort(400)
        except DomainError as error:
            if action == "local_authority" and error.errors:
                # A choice to make again: GOV.UK's error summary and the field's own message.
                authority_form = _local_authority_form(item, form_data.get("local_authority"))
                if item.regulator in IN_ENGLAND:
                    show_errors(authority_form, error)
                else:  # no field to choose on the page: the summary says why
                    authority_form.form_errors.extend(translated(e.message) for e in error.errors)
                return _provider_page(item, form, authority_form), 400
            # Name each field's problem: "The bank details are not valid" alone says not which.
            flash(
                " ".join([translated(error.detail) + ":", *(translated(e.message) for e in error.errors)])
                if error.errors
                else translated(error.detail),
                "error",
            )
        return redirect(url_for("providers_finance.provider", provider_id=provider_id))
    return _provider_page(item, form, authority_form)


def _provider_page(item: Provider, form: ConfirmForm, authority_form: LocalAuthorityForm) -> str:
    db = request_session()
    return render_template(
        "providers/finance_provider.html",
        provider=item,
        payee=repository.current_payee(db, item.id),
        form=form,
        authority_form=authority_form,
        has_errors=bool(authority_form.errors),
        in_england=item.regulator in IN_ENGLAND,
        regulator_name=REGULATOR_NAMES[item.regulator],
        events=audit.events_for(db, "providers", item.id),
        roles=g.actor.roles,
        actor_id=g.actor.staff_id,
        authority=local_authorities.find(item.local_authority_code),
    )


def _payee_id(value: str | None) -> uuid.UUID:
    """The payee change the page showed (a hidden field): anything else is a bad request."""
    try:
        return uuid.UUID(value or "")
    except ValueError:
        abort(400)
