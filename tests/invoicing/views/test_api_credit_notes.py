"""API v1 credit notes over real HTTP, and the API's readable documentation page."""

from __future__ import annotations

from authlib.integrations.requests_client import OAuth2Session

from config.auth import SYSTEM
from invoicing import service
from tests.conftest import LiveServer
from tests.factories import World


def api_for(live_server: LiveServer, world: World, db) -> OAuth2Session:
    from providers import service as providers

    client, secret = providers.register_api_client(db, world.provider_user, name="Software", redirect_uris=[])
    session = OAuth2Session(client.client_id, secret, scope="invoices:read invoices:write")
    session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    return session


def test_a_credit_note_follows_only_a_paid_invoice_and_stays_within_what_dwp_paid(
    live_server: LiveServer, db
) -> None:
    world, stranger = World(db), World(db)
    api = api_for(live_server, world, db)
    invoice = world.approved_invoice()
    url = f"{live_server.url}/api/v1/invoices/{invoice.id}/credit-notes"
    unpaid = api.post(url, json={"amount_pence": 100, "reason": "Absent"})
    assert unpaid.status_code == 422 and unpaid.json()["code"] == "invoice_not_paid"
    assert unpaid.headers["Content-Type"] == "application/problem+json"

    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    service.record_payment_sent(db, SYSTEM, batch.payments[0].id, "tr_1")
    service.record_payment_paid(db, SYSTEM, batch.payments[0].id)

    malformed = api.post(url, json={"amount_pence": "100", "reason": ""})
    assert malformed.status_code == 400
    assert {e["field"] for e in malformed.json()["errors"]} == {"amount_pence", "reason"}
    too_much = api.post(url, json={"amount_pence": 80_751, "reason": "Refund"})
    assert too_much.status_code == 422 and too_much.json()["code"] == "credit_too_large"
    created = api.post(url, json={"amount_pence": 80_000, "reason": "Refund"})
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in ("amount_pence", "status", "payment_id")} == {
        "amount_pence": 80_000,
        "status": "outstanding",
        "payment_id": None,
    }
    rest = api.post(url, json={"amount_pence": 751, "reason": "Refund"})
    assert rest.status_code == 422  # 80,000 + 751 is more than the 80,750 DWP paid
    theirs = stranger.approved_invoice()
    other = api.post(
        f"{live_server.url}/api/v1/invoices/{theirs.id}/credit-notes", json={"amount_pence": 1, "reason": "x"}
    )
    assert other.status_code == 404
    events = api.get(f"{live_server.url}/api/v1/invoices/{invoice.id}/events").json()["data"]
    assert events[-1]["type"] == "invoice.credit_note_issued"


def test_the_api_documentation_is_a_readable_page_built_from_the_openapi_document(
    live_server: LiveServer,
) -> None:
    import requests

    page = requests.get(f"{live_server.url}/api/docs", timeout=30)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    spec = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    for path, methods in spec["paths"].items():
        for method in set(methods) - {"parameters"}:
            assert f"{method.upper()} {path}" in page.text
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in page.text
