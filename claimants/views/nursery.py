"""The nursery portal's consent pages: which parents have given consent, and asking for more."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from claimants import consent_resend, repository, service
from claimants.forms import ConsentRequestForm
from claimants.labels import NURSERY_CONSENT_STATUS
from claimants.views.quotas import take_consent_request
from config.database import utcnow
from config.errors import DomainError, translated
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from providers.views.session import provider_required

claimants_nursery = Blueprint(
    "claimants_nursery", __name__, url_prefix="/provider/consents", template_folder="../templates"
)


FILTER_NAMES = {
    "waiting": _l("Waiting for the parent"),
    "given": _l("Given"),
    "ending": _l("Ending within 30 days"),
    "ended": _l("Ended, with no new consent"),
    "declined": _l("Declined by the parent"),
}


@claimants_nursery.get("")
@provider_required()
def consents() -> ResponseReturnValue:
    """The provider's consents, all or those one filter picks (a GET form: works without JavaScript)."""
    show = request.args.get("show") if request.args.get("show") in repository.NURSERY_FILTERS else None
    db = request_session()
    now = utcnow()
    rows = repository.consents_for_nursery(db, g.actor.provider_id, show, now)
    return render_template(
        "claimants/nursery_consents.html",
        consents=rows,
        consent_status=NURSERY_CONSENT_STATUS,
        filters=FILTER_NAMES,
        show=show,
        resend_from={consent.id: consent_resend.can_resend_from(db, consent) for consent in rows},
        now=now,
        form=ConfirmForm(),
    )


@claimants_nursery.post("/<uuid:consent_id>/resend")
@provider_required()
def resend(consent_id: uuid.UUID) -> ResponseReturnValue:
    repository.consent_of_provider(request_session(), g.actor.provider_id, consent_id)  # else not found
    if ConfirmForm().validate_on_submit():
        try:
            consent = consent_resend.resend_consent_request(request_session(), g.actor, consent_id)
        except DomainError as error:
            flash(translated(error.detail), "error")
        else:
            flash(_("We have emailed %(email)s again to ask for consent", email=consent.requested_email))
    return redirect(url_for("claimants_nursery.consents", show=request.args.get("show") or None))


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
