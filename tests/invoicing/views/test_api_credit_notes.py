"""API v1 credit notes over real HTTP, and the API's readable documentation page."""

from __future__ import annotations

import threading

from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import select

from config.auth import SYSTEM
from invoicing import service
from invoicing.models import CreditNote
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


def test_a_credit_note_sent_twice_with_one_idempotency_key_is_made_once(live_server: LiveServer, db) -> None:
    world = World(db)
    api = api_for(live_server, world, db)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    service.record_payment_sent(db, SYSTEM, batch.payments[0].id, "tr_1")
    service.record_payment_paid(db, SYSTEM, batch.payments[0].id)
    url = f"{live_server.url}/api/v1/invoices/{invoice.id}/credit-notes"
    body = {"amount_pence": 500, "reason": "Absent a day"}

    first = api.post(url, json=body, headers={"Idempotency-Key": "cn-1"})
    again = api.post(url, json=body, headers={"Idempotency-Key": "cn-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = api.post(url, json=body | {"amount_pence": 501}, headers={"Idempotency-Key": "cn-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    second_invoice = world.submit(number="INV-2")
    elsewhere = f"{live_server.url}/api/v1/invoices/{second_invoice.id}/credit-notes"
    moved = api.post(elsewhere, json=body, headers={"Idempotency-Key": "cn-1"})  # same body, other invoice
    assert moved.status_code == 409
    invoice_key = api.post(url, json=body, headers={"Idempotency-Key": "inv-key"})
    assert invoice_key.status_code == 201  # a new key: a second note, as asked
    notes = db.scalars(select(CreditNote).where(CreditNote.invoice_id == invoice.id)).all()
    assert sorted(n.amount_pence for n in notes) == [500, 500]


def test_one_credit_note_sent_four_times_at_once_with_one_key_is_made_once(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    service.record_payment_sent(db, SYSTEM, batch.payments[0].id, "tr_1")
    service.record_payment_paid(db, SYSTEM, batch.payments[0].id)
    apis = [api_for(live_server, world, db)]
    apis += [copy_of(apis[0]) for _ in range(3)]  # one client, four connections
    url = f"{live_server.url}/api/v1/invoices/{invoice.id}/credit-notes"
    barrier = threading.Barrier(len(apis))
    answers: list[int] = []

    def send(api: OAuth2Session) -> None:
        barrier.wait()
        answer = api.post(url, json={"amount_pence": 700, "reason": "x"}, headers={"Idempotency-Key": "race"})
        answers.append(answer.status_code)

    threads = [threading.Thread(target=send, args=(api,)) for api in apis]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers.count(201) == 1 and set(answers) <= {200, 201, 409}, answers
    assert len(db.scalars(select(CreditNote)).all()) == 1


def copy_of(api: OAuth2Session) -> OAuth2Session:
    twin = OAuth2Session(api.client_id, api.client_secret, token=api.token)
    return twin
