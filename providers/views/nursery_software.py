"""The nursery portal's nursery software pages at /provider/software: API clients, their
secrets (shown once) and the webhook delivery log, on the ``providers_nursery`` blueprint."""

from __future__ import annotations

import uuid

from flask import flash, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from providers import repository, secret_reveals, service, webhooks
from providers.forms import ApiClientForm
from providers.models import ApiClient
from providers.views.nursery import providers_nursery
from providers.views.session import provider_required

SECRETS_KEY = "api_client_secrets"  # the session key: each new secret's pad, by client


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
            return _show_secret_next(client, secret)
    return render_template(
        "question.html",
        form=form,
        heading=_("Connect your nursery software"),
        button=_("Create client"),
        back_url=url_for("providers_nursery.api_clients"),
        field_params={"webhook_url": {"type": "url", "spellcheck": False}},
    ), 400 if form.errors or form.form_errors else 200


def _show_secret_next(client: ApiClient, secret: str) -> ResponseReturnValue:
    """Post, redirect, get: the next page shows the secret once, and reloading it makes nothing."""
    pad = secret_reveals.seal(request_session(), g.actor, client, secret)
    pads = dict(session.get(SECRETS_KEY) or {})
    pads[str(client.id)] = pad.as_session()
    session[SECRETS_KEY] = pads
    return redirect(url_for("providers_nursery.api_client_secret", client_id=client.id))


@providers_nursery.get("/software/<uuid:client_id>/secret")
@provider_required(admin=True)
def api_client_secret(client_id: uuid.UUID) -> ResponseReturnValue:
    """The secret is on this one answer only (never cached); a reload says it was shown."""
    pads = dict(session.get(SECRETS_KEY) or {})
    pad = secret_reveals.Pad.from_session(pads.pop(str(client_id), None))
    session[SECRETS_KEY] = pads
    client = repository.get_api_client(request_session(), client_id, provider_id=g.actor.provider_id)
    secret = secret_reveals.reveal_once(request_session(), g.actor, client_id, pad)
    page = render_template("providers/api_client_secret.html", client=client, secret=secret)
    return page, 200, {"Cache-Control": "no-store"}


@providers_nursery.post("/software/<uuid:client_id>/rotate")
@provider_required(admin=True)
def rotate_api_client(client_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("providers_nursery.api_clients"))
    client, secret = service.rotate_client_secret(request_session(), g.actor, client_id)
    return _show_secret_next(client, secret)


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
