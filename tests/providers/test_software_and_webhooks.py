"""Nursery software: API clients managed in the portal, and signed webhooks delivered by the scheduler."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from config.database import utcnow
from config.extensions import database
from config.scheduler import run_job
from invoicing import service as invoicing
from providers import service as providers
from providers import webhooks
from providers.models import ApiClient, OAuthToken, WebhookDelivery, WebhookStatus
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password
from tests.http import forms, sign_in_provider


class Receiver:
    """A nursery's webhook endpoint on 127.0.0.1: records what arrives, can be told to fail."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}/hooks"

    def app(self, environ, start_response):
        request = Request(environ)
        if self.fail_next:
            self.fail_next -= 1
            return Response("down for maintenance", status=503)(environ, start_response)
        self.received.append((dict(request.headers), request.get_data()))
        return Response("ok")(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    thread = threading.Thread(target=endpoint.server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    endpoint.server.shutdown()


def admin_browser(live_server: LiveServer, db, world: World):
    secret = give_password(db, world.provider_user, second_factor=True)
    user, _ = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    return user


def token(live_server: LiveServer, client_id: str, secret: str) -> requests.Response:
    return requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "invoices:read"},
        auth=(client_id, secret),
        timeout=30,
    )


def test_an_admin_connects_software_sees_the_secret_once_rotates_and_revokes_it(
    live_server: LiveServer, db, receiver: Receiver
) -> None:
    world = World(db)
    user = admin_browser(live_server, db, world)
    form = user.get("/provider/software/new")
    bad = user.submit(form, "Create client", name="Nursery Manager", redirect_uris="ftp://x", webhook_url="")
    assert bad.status_code == 400 and "Redirect addresses must start with https://" in bad.text
    shown = user.submit(
        form,
        "Create client",
        name="Nursery Manager",
        redirect_uris="https://app.example/callback",
        webhook_url=receiver.url,
    )
    assert "Copy the client secret now" in shown.text and shown.headers["Cache-Control"] == "no-store"
    secret = re.search(r"data-testid='client-secret'>([^<]+)<", shown.text).group(1)
    client = db.scalars(select(ApiClient)).one()
    assert client.client_secret_hash != secret and secret not in json.dumps(client.redirect_uris)
    assert client.webhook_secret.startswith("whsec_")
    listing = user.get("/provider/software")
    assert client.client_id in listing.text and secret not in listing.text  # never shown again

    first = token(live_server, client.client_id, secret)
    assert first.status_code == 200
    rotated = user.submit(listing, "Make a new secret for Nursery Manager")
    new_secret = re.search(r"data-testid='client-secret'>([^<]+)<", rotated.text).group(1)
    assert new_secret != secret
    assert token(live_server, client.client_id, secret).status_code == 401  # the old secret is dead
    old_access = first.json()["access_token"]
    answer = requests.get(
        f"{live_server.url}/api/v1/invoices", headers={"Authorization": f"Bearer {old_access}"}, timeout=30
    )
    assert answer.status_code == 401  # and so are tokens issued with it
    fresh = token(live_server, client.client_id, new_secret).json()["access_token"]
    revoked = user.submit(user.get("/provider/software"), "Revoke Nursery Manager")
    assert "can no longer use Childcare Direct" in revoked.text
    assert token(live_server, client.client_id, new_secret).status_code == 401
    answer = requests.get(
        f"{live_server.url}/api/v1/invoices", headers={"Authorization": f"Bearer {fresh}"}, timeout=30
    )
    assert answer.status_code == 401
    db.expire_all()
    assert all(t.revoked_at is not None for t in db.scalars(select(OAuthToken)))


def test_events_are_signed_delivered_retried_with_backoff_and_can_be_resent(
    live_server: LiveServer, db, receiver: Receiver
) -> None:
    world = World(db)
    client, _ = providers.register_api_client(
        db, world.provider_user, name="Nursery Manager", redirect_uris=[], webhook_url=receiver.url
    )
    invoice = world.submit()
    invoicing.confirm_invoice(db, world.parent, invoice.id)  # → invoice.confirmed
    receiver.fail_next = 1
    factory = database().session_factory
    assert run_job(factory, "deliver-webhooks").outcome == "succeeded"
    delivery = db.scalars(select(WebhookDelivery)).one()
    db.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_response) == (
        WebhookStatus.PENDING,
        1,
        "HTTP 503",
    )
    assert delivery.next_attempt_at > utcnow() + timedelta(seconds=50)  # backoff: not before a minute
    run_job(factory, "deliver-webhooks")
    assert receiver.received == []  # not due yet
    delivery.next_attempt_at = utcnow()
    db.commit()
    run_job(factory, "deliver-webhooks")
    db.refresh(delivery)
    assert delivery.status is WebhookStatus.DELIVERED
    headers, body = receiver.received[0]
    event = json.loads(body)
    assert (event["type"], event["id"], event["data"]["invoice_id"]) == (
        "invoice.confirmed",
        str(delivery.id),
        str(invoice.id),
    )
    assert webhooks.verify_signature(client.webhook_secret, headers["Childcare-Signature"], body, utcnow())
    assert not webhooks.verify_signature("whsec_wrong", headers["Childcare-Signature"], body, utcnow())
    assert not webhooks.verify_signature(
        client.webhook_secret, headers["Childcare-Signature"], body + b" ", utcnow()
    )

    # The portal's delivery log shows it; resending sends the same event id again.
    user = admin_browser(live_server, db, world)
    log = user.get("/provider/software/webhooks")
    assert "invoice.confirmed" in log.text and "Delivered" in log.text
    # Each delivery: its event id and type as code, its invoice, what was sent (folded), its tries.
    assert f'<code class="app-break-anywhere">{delivery.id}</code>' in log.text
    assert "<code>invoice.confirmed</code>" in log.text
    assert f">{invoice.invoice_number}</a>" in log.text
    folded = log.text[log.text.index("<details") : log.text.index("</details>")]
    assert '<pre class="app-pre"><code>' in folded and f'"id": "{delivery.id}"' in folded
    attempts = log.text[log.text.index(">Attempts<") :]
    assert re.match(r">Attempts</dt>\s*<dd[^>]*>2 \(last ", attempts)
    user.submit(log, f"Send again event {delivery.id}")
    run_job(factory, "deliver-webhooks")
    assert [json.loads(b)["id"] for _, b in receiver.received] == [str(delivery.id), str(delivery.id)]


def test_a_provider_without_software_queues_no_events_and_others_logs_are_private(
    live_server: LiveServer, db, receiver: Receiver
) -> None:
    quiet, noisy = World(db), World(db)
    providers.register_api_client(
        db, noisy.provider_user, name="X", redirect_uris=[], webhook_url=receiver.url
    )
    invoicing.confirm_invoice(db, quiet.parent, quiet.submit().id)
    invoicing.confirm_invoice(db, noisy.parent, noisy.submit().id)
    deliveries = db.scalars(select(WebhookDelivery)).all()
    assert [d.provider_id for d in deliveries] == [noisy.provider.id]
    user = admin_browser(live_server, db, quiet)
    assert "invoice.confirmed" not in user.get("/provider/software/webhooks").text
    page = user.get("/provider/home")  # any form carries the session's CSRF token
    token_value = next(f.fields["csrf_token"] for f in forms(page) if "csrf_token" in f.fields)
    answer = user.http.post(
        f"{live_server.url}/provider/software/webhooks/{deliveries[0].id}/resend",
        data={"csrf_token": token_value},
        timeout=30,
    )
    assert answer.status_code == 404
