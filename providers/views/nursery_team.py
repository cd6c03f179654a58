"""The nursery portal's team pages at /provider/team, on the ``providers_nursery`` blueprint:
everyone sees the team; an admin invites, removes (after a confirmation page) and changes the
role of colleagues, and sends again or cancels invitations (``providers.team``)."""

from __future__ import annotations

import uuid

from flask import flash, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config.database import utcnow
from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from providers import accounts
from providers import team as team_service
from providers.forms import InviteForm, RoleForm
from providers.models import ProviderUserRole
from providers.views.nursery import providers_nursery
from providers.views.session import provider_required


def _invitation_link_base() -> str:
    return url_for("providers_nursery.accept_invitation", token="", _external=True).rstrip("/")


@providers_nursery.get("/team")
@provider_required()
def team() -> ResponseReturnValue:
    db = request_session()
    return render_template(
        "providers/team.html",
        users=team_service.members(db, g.actor),
        invitations=team_service.waiting_invitations(db, g.actor),
        is_admin=g.provider_user.role is ProviderUserRole.ADMIN,
        me=g.provider_user,
        form=ConfirmForm(),
        now=utcnow(),
    )


@providers_nursery.route("/team/invite", methods=["GET", "POST"])
@provider_required(admin=True)
def invite() -> ResponseReturnValue:
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = accounts.invite_colleague(
                request_session(),
                g.actor,
                email=form.email.data or "",
                name=form.name.data or "",
                role=ProviderUserRole(form.role.data),
                link_base=_invitation_link_base(),
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            flash(_("We have emailed an invitation to %(email)s", email=invitation.email))
            return redirect(url_for("providers_nursery.team"))
    return render_template(
        "question.html",
        form=form,
        heading=_("Invite a colleague"),
        button=_("Send invitation"),
        back_url=url_for("providers_nursery.team"),
        field_params={"email": {"type": "email", "spellcheck": False}},
    ), 400 if form.errors or form.form_errors else 200


@providers_nursery.route("/team/<uuid:user_id>/role", methods=["GET", "POST"])
@provider_required(admin=True)
def change_role(user_id: uuid.UUID) -> ResponseReturnValue:
    db = request_session()
    colleague = team_service.get_colleague(db, g.actor, user_id)
    form = RoleForm(data={"role": colleague.role.value})
    yourself = colleague.id == g.provider_user.id
    form.role.label.text = (
        _("What should you be able to do?") if yourself else _("What can %(name)s do?", name=colleague.name)
    )
    if form.validate_on_submit():
        was = colleague.role
        try:
            changed = team_service.change_role(db, g.actor, user_id, ProviderUserRole(form.role.data))
        except DomainError as error:
            show_errors(form, error)
        else:
            admin = changed.role is ProviderUserRole.ADMIN
            if changed.role is was:
                flash(
                    _("Nothing changed: %(name)s was already an admin", name=changed.name)
                    if admin
                    else _("Nothing changed: %(name)s was already staff", name=changed.name)
                )
            else:
                flash(
                    _("%(name)s is now an admin", name=changed.name)
                    if admin
                    else _("%(name)s is now staff", name=changed.name)
                )
            return redirect(url_for("providers_nursery.team"))
    return render_template(
        "question.html",
        form=form,
        caption=colleague.name,
        button=_("Save role"),
        back_url=url_for("providers_nursery.team"),
    ), 400 if form.errors or form.form_errors else 200


@providers_nursery.route("/team/<uuid:user_id>/remove", methods=["GET", "POST"])
@provider_required(admin=True)
def remove_colleague(user_id: uuid.UUID) -> ResponseReturnValue:
    """A confirmation page first; removing yourself signs you out here too."""
    db = request_session()
    colleague = team_service.get_colleague(db, g.actor, user_id)
    yourself = colleague.id == g.provider_user.id
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            removed = team_service.remove_colleague(db, g.actor, user_id)
        except DomainError as error:
            show_errors(form, error)
        else:
            if yourself:
                session.clear()
                provider = g.provider_user.provider.name
                flash(_("You have removed yourself from %(provider)s", provider=provider))
                return redirect(url_for("providers_nursery.index"))
            flash(_("%(name)s has been removed from your team", name=removed.name))
            return redirect(url_for("providers_nursery.team"))
    last_admin = team_service.is_last_admin(db, colleague)
    return render_template(
        "providers/team_remove.html",
        form=form,
        colleague=colleague,
        yourself=yourself,
        last_admin=last_admin,
    ), 400 if form.errors or form.form_errors else 200


@providers_nursery.post("/team/invitations/<uuid:invitation_id>/resend")
@provider_required(admin=True)
def resend_invitation(invitation_id: uuid.UUID) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        invitation = team_service.resend_invitation(
            request_session(), g.actor, invitation_id, link_base=_invitation_link_base()
        )
        flash(_("We have emailed a new invitation to %(email)s", email=invitation.email))
    return redirect(url_for("providers_nursery.team"))


@providers_nursery.post("/team/invitations/<uuid:invitation_id>/cancel")
@provider_required(admin=True)
def cancel_invitation(invitation_id: uuid.UUID) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        invitation = team_service.cancel_invitation(request_session(), g.actor, invitation_id)
        flash(_("The invitation to %(email)s is cancelled", email=invitation.email))
    return redirect(url_for("providers_nursery.team"))
