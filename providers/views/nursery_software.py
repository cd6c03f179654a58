"""The nursery portal's nursery software pages at /provider/software: API clients, their
secrets (shown once) and the webhook delivery log, on the ``providers_nursery`` blueprint."""

from __future__ import annotations

import uuid

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from providers import repository, service, webhooks
from providers.forms import ApiClientForm
from providers.models import ApiClient
from providers.views.nursery import providers_nursery
from providers.views.session import provider_required


@providers_nursery.get("/software")
@provider_required(admin=True)
def api_clients() -> ResponseReturnValue:
    clients = repository.list_api_clients(request_session(), g.actor.provider_id)
    return render_template("providers/api_clients.html", clients=clients, form=ConfirmForm())


@providers_nursery.route("/software/new", methods=["GET", "POST"])
@provider_required(admin=True)
def new_api_client() -> ResponseReturnValue:
    form = ApiClientForm()
    if form.validate_on_submit():
        try:
            client, secret = service.register_api_client(
                request_session(),
                g.actor,
                name=form.name.data or "",
                redirect_uris=[
                    line.strip() for line in (form.redirect_uris.data or "").splitlines() if line.strip()
                ],
                webhook_url=form.webhook_url.data,
            )
        except DomainError as error:
            show_errors(form, error)
        else:
            return _show_secret_once(client, secret)
    return render_template(
        "question.html",
        form=form,
        heading=_("Connect your nursery software"),
        button=_("Create client"),
        back_url=url_for("providers_nursery.api_clients"),
        field_params={"webhook_url": {"type": "url", "spellcheck": False}},
    ), 400 if form.errors or form.form_errors else 200


def _show_secret_once(client: ApiClient, secret: str) -> ResponseReturnValue:
    """The secret is in this one answer only (never stored, never cached)."""
    response = render_template("providers/api_client_secret.html", client=client, secret=secret)
    return response, 200, {"Cache-Control": "no-store"}


@providers_nursery.post("/software/<uuid:client_id>/rotate")
@provider_required(admin=True)
def rotate_api_client(client_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("providers_nursery.api_clients"))
    client, secret = service.rotate_client_secret(request_session(), g.actor, client_id)
    return _show_secret_once(client, secret)


@providers_nursery.post("/software/<uuid:client_id>/revoke")
@provider_required(admin=True)
def revoke_api_client(client_id: uuid.UUID) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        client = service.revoke_api_client(request_session(), g.actor, client_id)
        flash(_("%(name)s can no longer use Childcare Direct", name=client.name))
    return redirect(url_for("providers_nursery.api_clients"))


@providers_nursery.get("/software/webhooks")
@provider_required(admin=True)
def webhook_log() -> ResponseReturnValue:
    db = request_session()
    clients = {c.id: c for c in repository.list_api_clients(db, g.actor.provider_id)}
    return render_template(
        "providers/webhooks.html",
        deliveries=webhooks.deliveries(db, g.actor),
        clients=clients,
        form=ConfirmForm(),
    )


@providers_nursery.post("/software/webhooks/<uuid:delivery_id>/resend")
@provider_required(admin=True)
def resend_webhook(delivery_id: uuid.UUID) -> ResponseReturnValue:
    if ConfirmForm().validate_on_submit():
        webhooks.resend(request_session(), g.actor, delivery_id)
        flash(_("We will send the event again in the next minute"))
    return redirect(url_for("providers_nursery.webhook_log"))
