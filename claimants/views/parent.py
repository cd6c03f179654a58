"""The parents' area at /account: sign-in with OpenID Connect, then the parent's own home."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from claimants import council_sharing as sharing
from claimants import repository, service
from claimants.forms import ChildForm, ConsentResponseForm, CouncilSharingForm, LinkClaimForm
from claimants.labels import CONSENT_STATUS
from claimants.models import Consent, ConsentStatus
from claimants.rules import ending_warnings_due, renewable
from claimants.sign_in import name_from_claims
from claimants.views.session import current_parent, forget_parent, parent_required, remember_parent
from config import settings
from config.database import utcnow
from config.errors import DomainError, translated
from config.extensions import request_session
from config.formatting import london_last_day
from config.forms import ConfirmForm, safe_next, show_errors
from config.oidc import PARENTS, begin_sign_in, finish_sign_in, sign_in_failed_page
from providers import repository as providers_repository

claimants_parent = Blueprint(
    "claimants_parent", __name__, url_prefix="/account", template_folder="../templates"
)
# Where a parent may be sent on after signing in: their own pages, or back to the consent
# screen their nursery's software sent them to.
PARENT_PAGES = ("/account", "/oauth/authorize")
# Where a parent with no claim linked yet goes on to after signing in, not to link one first: the
# consent screen (which asks for the claim itself) and a partner's invitation to a joint claim.
KEEP_GOING_TO = ("/oauth/", "/account/partner/join/")


@claimants_parent.get("")
def index() -> ResponseReturnValue:
    if current_parent() is not None:
        return redirect(url_for("invoicing_parent.home"))
    return render_template(
        "area.html",
        heading=_("Parents on Universal Credit"),
        can_do=[
            _("give or stop your consent for a childcare provider to invoice DWP"),
            _("confirm or dispute each invoice before DWP pays it"),
            _("see what DWP pays and what you owe your provider in each assessment period"),
        ],
        sign_in_url=url_for("claimants_parent.sign_in"),
    )


@claimants_parent.get("/sign-in")
def sign_in() -> ResponseReturnValue:
    session["after_sign_in"] = safe_next(request.args.get("next"), within=PARENT_PAGES)
    return begin_sign_in(
        PARENTS,
        url_for("claimants_parent.callback", _external=True),
        ui_locales=str(get_locale() or "en"),
        vtr=settings.current().parent_oidc_vtr,
    )


@claimants_parent.get("/sign-in/callback")
def callback() -> ResponseReturnValue:
    """Every refusal or failure shows "we could not sign you in" with its reason, never a 500."""
    try:
        claims = finish_sign_in(PARENTS)
        parent = service.sign_in_parent(
            request_session(),
            subject=str(claims["sub"]),
            email=str(claims.get("email") or ""),
            name=name_from_claims(claims),
        )
    except DomainError as error:
        session.pop("after_sign_in", None)
        return sign_in_failed_page(error, url_for("claimants_parent.sign_in"))
    after = session.pop("after_sign_in", None)
    remember_parent(parent)
    household = service.household_of(request_session(), parent)  # a partner shares the lead's claim
    if household.claim_start_date is None and not (after or "").startswith(KEEP_GOING_TO):
        return redirect(url_for("claimants_parent.link_claim"))  # first sign-in: link the claim first
    return redirect(after or url_for("invoicing_parent.home"))


@claimants_parent.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    forget_parent()
    return redirect(url_for("claimants_parent.index"))


@claimants_parent.route("/claim", methods=["GET", "POST"])
@parent_required
def link_claim() -> ResponseReturnValue:
    """First sign-in: link the Universal Credit claim (its start day sets the assessment periods).
    A partner on a joint claim shares their lead's claim: nothing to link."""
    if g.household.id != g.parent.id or g.household.uc_claim_reference is not None:
        return redirect(url_for("invoicing_parent.home"))  # linked already: DWP changes it
    form = LinkClaimForm()
    if form.validate_on_submit():
        try:
            service.link_claim(
                request_session(),
                g.actor,
                claim_reference=form.claim_reference.data or "",
                nino=form.nino.data or "",
                claim_start_date=form.claim_start_date.data,  # type: ignore[arg-type]  # required by the form
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("Your Universal Credit claim is linked"))
            # Sent here from a consent screen: back to it, now the claim is linked.
            return redirect(
                safe_next(request.args.get("next"), within=PARENT_PAGES) or url_for("invoicing_parent.home")
            )
    return render_template("claimants/link_claim.html", form=form), 400 if form.errors else 200


@claimants_parent.route("/children/new", methods=["GET", "POST"])
@parent_required
def add_child() -> ResponseReturnValue:
    form = ChildForm()
    if form.validate_on_submit():
        try:
            child = service.add_child(
                request_session(),
                g.actor,
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                date_of_birth=form.date_of_birth.data,  # type: ignore[arg-type]  # required by the form
                disabled=form.disabled.data == "yes",
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("%(name)s has been added", name=child.first_name))
            return redirect(
                safe_next(request.args.get("next"), within=PARENT_PAGES) or url_for("invoicing_parent.home")
            )
    return render_template("claimants/add_child.html", form=form), 400 if form.errors else 200


@claimants_parent.route("/council-sharing", methods=["GET", "POST"])
@parent_required
def council_sharing() -> ResponseReturnValue:
    """Agree or not to DWP telling the council about early-years help the children may get."""
    db = request_session()
    form = CouncilSharingForm()
    if form.validate_on_submit():
        try:
            if form.share.data == "yes":
                changed = sharing.agree_to_share(db, g.actor)
                done = _("We will share your children’s details with your council")
            else:
                changed = sharing.withdraw_sharing(db, g.actor)
                done = _("We will not share your children’s details with your council")
        except DomainError as error:
            flash(translated(error.detail), "error")
        else:
            flash(done if changed else _("Nothing has changed: you had already chosen this"))
        return redirect(url_for("claimants_parent.council_sharing"))
    # The household's choice (its children's details), as the service keeps it: on a joint claim
    # both partners see and may change the same one, and the audit names who did.
    in_force = sharing.sharing_in_force(db, g.household.id)
    stopped = None if in_force else sharing.last_withdrawn(db, g.household.id)
    if not form.errors:  # the parent's current choice, once they have made one
        form.share.data = "yes" if in_force else "no" if stopped else None
    return render_template(
        "claimants/council_sharing.html",
        form=form,
        in_force=in_force,
        stopped=stopped,
        joint=g.household.id != g.parent.id or bool(repository.partners_of(db, g.household.id)),
    ), 400 if form.errors else 200


@claimants_parent.get("/consents")
@parent_required
def consents() -> ResponseReturnValue:
    """Every consent the parent has given or been asked for, with its provider, child and expiry."""
    db = request_session()
    rows = repository.list_consents_for_parent(db, g.household.id)
    providers = providers_repository.providers_by_id(db, {c.provider_id for c in rows})
    now = utcnow()
    return render_template(
        "claimants/consents.html",
        consents=rows,
        providers=providers,
        consent_status=CONSENT_STATUS,
        expiring_soon={
            c.id
            for c in rows
            if c.is_live_on(now) and ending_warnings_due(c.expires_at, now)  # type: ignore[arg-type]
        },
        renewable={c.id for c in rows if renewable(c.status.value, c.expires_at, now)},
        changed_by=repository.last_changed_by(db, [c.id for c in rows]),
        me=str(g.parent.id),
        form=ConfirmForm(),
    )


def _own_consent(consent_id: uuid.UUID) -> Consent:
    return repository.consent_of_parent(request_session(), g.household.id, consent_id)


@claimants_parent.route("/consents/<uuid:consent_id>/stop", methods=["GET", "POST"])
@parent_required
def revoke_consent(consent_id: uuid.UUID) -> ResponseReturnValue:
    """Stop a consent: asked once more, because the provider can no longer invoice DWP."""
    consent = _own_consent(consent_id)
    provider = providers_repository.get_provider(request_session(), consent.provider_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.revoke_consent(request_session(), g.actor, consent_id)
        flash(
            _(
                "%(provider)s can no longer invoice DWP for %(child)s",
                provider=provider.name,
                child=_child_name(consent),
            )
        )
        return redirect(url_for("claimants_parent.consents"))
    return render_template(
        "claimants/revoke_consent.html",
        consent=consent,
        provider=provider,
        form=form,
        child_name=_child_name(consent),
    )


@claimants_parent.post("/consents/<uuid:consent_id>/reconfirm")
@parent_required
def reconfirm_consent(consent_id: uuid.UUID) -> ResponseReturnValue:
    _own_consent(consent_id)
    if ConfirmForm().validate_on_submit():
        try:
            consent = service.reconfirm_consent(request_session(), g.actor, consent_id)
        except DomainError as error:
            flash(translated(error.detail), "error")
        else:
            flash(_("Your consent now lasts until %(date)s", date=london_last_day(consent.expires_at)))
    return redirect(url_for("claimants_parent.consents"))


def _child_name(consent: Consent) -> str:
    return consent.child.first_name if consent.child else (consent.requested_child_first_name or "")


@claimants_parent.route("/consents/<uuid:consent_id>/respond", methods=["GET", "POST"])
@parent_required
def respond_to_consent(consent_id: uuid.UUID) -> ResponseReturnValue:
    """The consent screen: who asks, for which child, what they will see and until when.

    A request emailed to another address than the parent signed in with is first claimed
    (``claim_request``), not "Page not found".
    """
    db = request_session()
    consent = repository.find_consent(db, consent_id)
    if consent is None:
        abort(404)
    if consent.parent_id != g.household.id:
        if consent.requested_email and consent.status is ConsentStatus.AWAITING_AUTHORISATION:
            return redirect(url_for("claimants_parent.claim_request", consent_id=consent_id))
        abort(404)
    if consent.status is not ConsentStatus.AWAITING_AUTHORISATION:
        flash(_("You have already answered this request"), "error")
        return redirect(url_for("claimants_parent.consents"))
    provider = providers_repository.get_provider(db, consent.provider_id)
    children = repository.list_children(db, g.household.id)
    form = ConsentResponseForm()
    form.child.choices = [SelectChoice(str(c.id), f"{c.first_name} {c.last_name}") for c in children]
    if form.validate_on_submit():
        if form.decision.data == "decline":
            service.reject_consent(db, g.actor, consent_id)
            flash(_("You refused %(provider)s consent to invoice DWP", provider=provider.name))
            return redirect(url_for("claimants_parent.consents"))
        try:
            service.authorise_consent(db, g.actor, consent_id, uuid.UUID(form.child.data))
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("%(provider)s can now invoice DWP for your childcare", provider=provider.name))
            return redirect(url_for("claimants_parent.consents"))
    return render_template(
        "claimants/consent_screen.html",
        consent=consent,
        provider=provider,
        children=children,
        form=form,
        until=london_last_day(utcnow() + timedelta(days=settings.current().consent_validity_days)),
    ), 400 if form.errors or form.form_errors else 200


@claimants_parent.route("/consents/<uuid:consent_id>/claim", methods=["GET", "POST"])
@parent_required
def claim_request(consent_id: uuid.UUID) -> ResponseReturnValue:
    """A request emailed to another address: the parent checks whose child it is for, then takes it on."""
    db = request_session()
    consent = repository.find_consent(db, consent_id)
    if consent is None or not consent.requested_email:
        abort(404)
    if consent.parent_id == g.household.id:
        return redirect(url_for("claimants_parent.respond_to_consent", consent_id=consent_id))
    if consent.status is not ConsentStatus.AWAITING_AUTHORISATION or consent.parent_id is not None:
        # Answered already, or sent to a parent who has an account: nothing to show another person.
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.claim_consent_request(db, g.actor, consent_id)
        return redirect(url_for("claimants_parent.respond_to_consent", consent_id=consent_id))
    return render_template(
        "claimants/claim_request.html",
        consent=consent,
        provider=providers_repository.get_provider(db, consent.provider_id),
        children=repository.list_children(db, g.household.id),
        signed_in_as=g.parent.email,
        form=form,
    )
