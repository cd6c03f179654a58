"""The nursery portal's consent pages: which parents have given consent, and asking for more."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claimants import repository, service
from claimants.forms import ConsentRequestForm
from claimants.labels import CONSENT_STATUS
from claimants.views.quotas import take_consent_request
from config.errors import DomainError
from config.extensions import request_session
from config.forms import show_errors
from providers.views.session import provider_required

claimants_nursery = Blueprint(
    "claimants_nursery", __name__, url_prefix="/provider/consents", template_folder="../templates"
)


@claimants_nursery.get("")
@provider_required()
def consents() -> ResponseReturnValue:
    rows = repository.list_consents_for_provider(request_session(), g.actor.provider_id)
    return render_template("claimants/nursery_consents.html", consents=rows, consent_status=CONSENT_STATUS)


@claimants_nursery.route("/ask", methods=["GET", "POST"])
@provider_required()
def ask() -> ResponseReturnValue:
    form = ConsentRequestForm()
    retry_after: int | None = None
    if form.validate_on_submit():
        try:
            take_consent_request(g.actor.provider_id, form.parent_email.data or "")
            consent = service.request_consent(
                request_session(),
                g.actor,
                parent_email=form.parent_email.data or "",
                child_first_name=form.child_first_name.data or "",
            )
        except DomainError as error:
            show_errors(form, error)
            retry_after = error.retry_after
        else:
            flash(_("We have emailed %(email)s to ask for consent", email=consent.requested_email))
            return redirect(url_for("claimants_nursery.consents"))
    return render_template(
        "question.html",
        form=form,
        heading=_("Ask a parent for consent"),
        intro=[
            _(
                "The parent signs in with GOV.UK One Login and chooses whether you may invoice DWP "
                "for their child. You can send invoices once they agree."
            )
        ],
        button=_("Send request"),
        back_url=url_for("claimants_nursery.consents"),
        field_params={"parent_email": {"type": "email", "spellcheck": False}},
    ), *_status(form, retry_after)


def _status(form: ConsentRequestForm, retry_after: int | None) -> tuple[int, dict[str, str]]:
    """429 with Retry-After when the quota is used up; 400 for other errors; else 200."""
    if retry_after:
        return 429, {"Retry-After": str(retry_after)}
    return (400 if form.errors or form.form_errors else 200), {}
