"""A joint claim's partner, at /account/partner: the lead invites, the partner joins, either ends it."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from claimants import partners, repository, service
from claimants.forms import JoinHouseholdForm, PartnerInviteForm
from claimants.views.session import parent_required
from config.errors import DomainError, translated
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors

claimants_parent_partner = Blueprint(
    "claimants_parent_partner", __name__, url_prefix="/account/partner", template_folder="../templates"
)


def _is_partner() -> bool:
    return bool(g.household.id != g.parent.id)


@claimants_parent_partner.route("", methods=["GET", "POST"])
@parent_required
def partner() -> ResponseReturnValue:
    """Who shares the claim: the lead sees their partner or invites them; a partner, whose claim it is."""
    db = request_session()
    form = PartnerInviteForm()
    if not _is_partner() and form.validate_on_submit():
        try:
            invitation = service.invite_partner(db, g.actor, email=form.email.data or "")
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("We have emailed an invitation to %(email)s", email=invitation.email))
            return redirect(url_for("claimants_parent_partner.partner"))
    joined = partners.partners_of(db, g.household.id)
    return render_template(
        "claimants/partner.html",
        is_partner=_is_partner(),
        lead=g.household,
        partners=joined,
        # A single claim has no partner to invite: the page says so instead of offering the form.
        not_joint=not _is_partner() and not joined and partners.claim_is_joint(db, g.household) is False,
        not_joint_reason=translated(partners.NOT_JOINT),
        invitation=None if _is_partner() else partners.open_invitation_of(db, g.household.id),
        form=form,
    ), 400 if form.errors or form.form_errors else 200


@claimants_parent_partner.route("/end", methods=["GET", "POST"])
@parent_required
def end() -> ResponseReturnValue:
    """End the partner link, asked once more: the partner stops seeing the household's records."""
    db = request_session()
    others = partners.partners_of(db, g.household.id)
    if not others:
        return redirect(url_for("claimants_parent_partner.partner"))
    partner = g.parent if _is_partner() else others[0]
    form = ConfirmForm()
    if form.validate_on_submit():
        service.end_partner_link(db, g.actor, partner.id)
        if _is_partner():
            flash(_("You no longer share %(name)s’s claim", name=g.household.name))
            return redirect(url_for("invoicing_parent.home"))
        flash(_("%(name)s no longer shares your claim", name=partner.name))
        return redirect(url_for("claimants_parent_partner.partner"))
    return render_template(
        "claimants/partner_end.html", is_partner=_is_partner(), lead=g.household, partner=partner, form=form
    )


@claimants_parent_partner.route("/join/<token>", methods=["GET", "POST"])
@parent_required
def join(token: str) -> ResponseReturnValue:
    """The invited partner, signed in, confirms the claim reference and their own NI number."""
    db = request_session()
    try:
        invitation = partners.invitation_for(db, token)
    except DomainError as error:
        if error.status == 404:
            raise
        return render_template("claimants/partner_gone.html", detail=translated(error.detail)), 410
    lead = repository.get_parent(db, invitation.household_id)
    form = JoinHouseholdForm()
    if form.validate_on_submit():
        try:
            service.join_household(
                db, g.actor, token, claim_reference=form.claim_reference.data or "", nino=form.nino.data or ""
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("You now share %(name)s’s claim", name=lead.name))
            return redirect(url_for("invoicing_parent.home"))
    return render_template(
        "claimants/partner_join.html", lead=lead, form=form
    ), 400 if form.errors or form.form_errors else 200
