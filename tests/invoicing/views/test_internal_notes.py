"""What DWP writes for itself never leaves DWP: a caseworker's note, with a marker no one else
would type, is looked for on every page, API answer, CSV, webhook and email a nursery or a parent
can get, after decisions of every kind. Only the reason's words reach them; DWP's pages show both."""

from __future__ import annotations

import re

from sqlalchemy import select

from config.auth import SYSTEM
from config.notify import Notification
from invoicing import service
from invoicing.labels import REASON_CODES
from invoicing.models import Payment
from providers import service as providers_service
from providers.models import WebhookDelivery
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password
from tests.http import sign_in_parent, sign_in_provider, sign_in_staff
from tests.invoicing.views.test_api_invoices import token_session

MARKER = "INTERNAL-ONLY zx81-suspected-fraud"


def _decided(db, world: World) -> dict[str, str]:
    """Invoices held, approved, disputed and rejected with notes carrying the marker; one paid."""
    paid = world.submit()
    service.confirm_invoice(db, world.parent, paid.id)
    service.hold_invoice(db, world.caseworker, paid.id, f"{MARKER} hold", "need_information")
    service.hold_invoice(db, world.caseworker, paid.id, f"{MARKER} still", "need_information")
    service.approve_invoice(db, world.caseworker, paid.id, f"{MARKER} approve", "checked_eligible")
    refused = world.submit(care_from=paid.care_from, care_to=paid.care_from)
    service.dispute_invoice(db, world.parent, refused.id, "We were on holiday that day")
    service.reject_invoice(db, world.caseworker, refused.id, f"{MARKER} reject", "dispute_upheld")
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    payment = db.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    service.record_payment_sent(db, SYSTEM, payment.id, "tr_1")
    service.record_payment_paid(db, SYSTEM, payment.id)
    return {
        "invoice_id": str(paid.id),
        "payment_id": str(payment.id),
        "consent_id": str(world.consent.id),
        "date_start": paid.ap_start.isoformat(),
    }


def _get_pages(
    live_server: LiveServer, user, prefixes: tuple[str, ...], ids: dict[str, str]
) -> dict[str, str]:
    """Every GET page of these surfaces whose ids we have, as this person sees it."""
    seen = {}
    for rule in live_server.app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith(prefixes) or "sign-" in rule.rule:
            continue
        if not set(rule.arguments) <= set(ids):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: ids[m.group(1)], rule.rule)
        seen[path] = user.http.get(f"{live_server.url}{path}", timeout=30).text
    return seen


def test_a_caseworkers_note_reaches_no_nursery_or_parent_surface(live_server: LiveServer, db) -> None:
    world = World(db)
    providers_service.register_api_client(
        db, world.provider_user, name="Soft", redirect_uris=[], webhook_url="https://hooks.example/cd"
    )
    ids = _decided(db, world)
    secret = give_password(db, world.provider_user, second_factor=True)
    nursery, _ = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    parent, _ = sign_in_parent(live_server.url, world.parent.label)

    pages = {
        **_get_pages(live_server, nursery, ("/provider",), ids),
        **_get_pages(live_server, parent, ("/account",), ids),
    }
    for must in (f"/provider/invoices/{ids['invoice_id']}", f"/account/invoices/{ids['invoice_id']}"):
        assert must in pages
    assert f"/provider/payments/{ids['payment_id']}/remittance.csv" in pages
    assert [path for path, text in pages.items() if MARKER in text] == []
    nursery_invoice = pages[f"/provider/invoices/{ids['invoice_id']}"]
    with live_server.app.test_request_context():
        words = str(REASON_CODES["checked_eligible"])
    assert words in nursery_invoice  # the reason's words do reach them

    # The API, with a token of this provider's own software.
    client, client_secret = providers_service.register_api_client(
        db, world.provider_user, name="Mine", redirect_uris=[]
    )
    api = token_session(
        live_server, (None, client.client_id, client_secret, None), "invoices:read payments:read"
    )
    answers = [
        api.get(f"{live_server.url}/api/v1/invoices").text,
        api.get(f"{live_server.url}/api/v1/invoices/{ids['invoice_id']}").text,
        api.get(f"{live_server.url}/api/v1/invoices/{ids['invoice_id']}/events").text,
        api.get(f"{live_server.url}/api/v1/payments").text,
        api.get(f"{live_server.url}/api/v1/payments/{ids['payment_id']}").text,
    ]
    events = api.get(f"{live_server.url}/api/v1/invoices/{ids['invoice_id']}/events").json()["data"]
    assert {"reason_code": "checked_eligible"} in [
        e["data"] for e in events if e["type"] == "invoice.approved"
    ]
    assert not any(MARKER in answer for answer in answers)

    db.expire_all()
    emails = [str(n.personalisation) for n in db.scalars(select(Notification))]
    hooks = [str(d.payload) for d in db.scalars(select(WebhookDelivery))]
    assert emails and hooks
    assert not any(MARKER in text for text in emails + hooks)

    # DWP's own page shows the note: the marker is really there to be found.
    case, _ = sign_in_staff(live_server.url, world.caseworker.label)
    assert MARKER in case.get(f"/finance/invoices/{ids['invoice_id']}").text
