"""API v1 consents over real HTTP with tokens from the authorization server."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import func, select

from claimants import service as claimants
from claimants.models import Consent
from config.notify import Notification
from tests.claimants.test_oauth import consent_flow
from tests.conftest import LiveServer
from tests.factories import create_child, create_consent, create_parent, create_provider, provider_admin


def api(live_server: LiveServer, software, scope: str) -> OAuth2Session:
    _, client_id, secret, _ = software
    session = OAuth2Session(client_id, secret, scope=scope)
    session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    return session


def test_consents_are_paged_and_only_this_providers(live_server: LiveServer, db, software) -> None:
    provider = software[0]
    admin = provider_admin(provider)
    _, other_admin = create_provider(db)
    parent = create_parent(db)
    mine = [create_consent(db, admin, parent, create_child(db, parent, first_name=f"C{i}")) for i in range(3)]
    theirs = create_consent(db, other_admin, parent, create_child(db, parent, first_name="Other"))
    session = api(live_server, software, "consents:read")
    first = session.get(f"{live_server.url}/api/v1/consents", params={"limit": 2}).json()
    assert len(first["data"]) == 2 and first["next_cursor"]
    second = session.get(
        f"{live_server.url}/api/v1/consents", params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert len(second["data"]) == 1 and second["next_cursor"] is None
    seen = {c["id"] for c in first["data"] + second["data"]}
    assert seen == {str(c.id) for c in mine}
    one = first["data"][0]
    assert set(one) == {"id", "status", "child", "authorised_at", "expires_at", "revoked_at"}
    assert set(one["child"]) == {"id", "first_name", "date_of_birth"}
    hidden = session.get(f"{live_server.url}/api/v1/consents/{theirs.id}")
    assert hidden.status_code == 404 and hidden.headers["Content-Type"] == "application/problem+json"


def test_no_token_bad_token_and_wrong_scope_answer_problem_json(live_server: LiveServer, software) -> None:
    none = requests.get(f"{live_server.url}/api/v1/consents", timeout=30)
    assert none.status_code == 401 and none.headers["WWW-Authenticate"].startswith("Bearer")
    assert none.json()["code"] == "invalid_token"
    bad = requests.get(
        f"{live_server.url}/api/v1/consents", headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert bad.status_code == 401
    wrong = api(live_server, software, "invoices:read").get(f"{live_server.url}/api/v1/consents")
    assert wrong.status_code == 403 and wrong.json()["code"] == "insufficient_scope"
    junk = api(live_server, software, "consents:read").get(
        f"{live_server.url}/api/v1/consents", params={"cursor": "!!"}
    )
    assert junk.status_code == 400 and junk.json()["errors"][0]["field"] == "cursor"


def test_a_consent_request_by_api(live_server: LiveServer, software) -> None:
    session = api(live_server, software, "consents:request")
    bad = session.post(
        f"{live_server.url}/api/v1/consent-requests", json={"parent_email": "nope", "child_first_name": ""}
    )
    assert bad.status_code == 400 and bad.headers["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in bad.json()["errors"]} == {"parent_email", "child_first_name"}
    made = session.post(
        f"{live_server.url}/api/v1/consent-requests",
        json={"parent_email": "amira@example.com", "child_first_name": "Zara"},
    )
    assert made.status_code == 202 and made.json()["status"] == "awaiting_authorisation"


def test_a_consent_request_sent_twice_with_one_idempotency_key_asks_the_parent_once(
    live_server: LiveServer, db, software
) -> None:
    session = api(live_server, software, "consents:request")
    url = f"{live_server.url}/api/v1/consent-requests"
    body = {"parent_email": "amira@example.com", "child_first_name": "Zara"}
    first = session.post(url, json=body, headers={"Idempotency-Key": "req-1"})
    again = session.post(url, json=dict(reversed(body.items())), headers={"Idempotency-Key": "req-1"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()  # the first answer, key order aside
    emails = db.scalars(select(Notification).where(Notification.template == "consent_request")).all()
    assert len(emails) == 1
    other = session.post(url, json=body | {"child_first_name": "Omar"}, headers={"Idempotency-Key": "req-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert other.headers["Content-Type"] == "application/problem+json"
    assert db.scalar(select(func.count()).select_from(Consent)) == 1
    blank = session.post(url, json=body, headers={"Idempotency-Key": ""})
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "Idempotency-Key"


def test_revoking_the_consent_takes_effect_on_the_next_api_call(
    live_server: LiveServer, db, software
) -> None:
    parent = create_parent(db)
    child = create_child(db, parent)
    client, verifier, _, back, _ = consent_flow(live_server, software, parent, str(child.id))
    code = parse_qs(urlsplit(back).query)["code"][0]
    token = client.fetch_token(f"{live_server.url}/oauth/token", code=code, code_verifier=verifier)
    url = f"{live_server.url}/api/v1/consents/{token['consent_id']}"
    assert client.get(url).json()["status"] == "authorised"
    actor = claimants.parent_actor(claimants.repository.get_parent(db, parent.parent_id))
    claimants.revoke_consent(db, actor, uuid.UUID(token["consent_id"]))
    refused = client.get(url)
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"


def test_the_openapi_document_describes_the_api(live_server: LiveServer) -> None:
    document = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/consents", "/api/v1/consents/{consent_id}", "/api/v1/consent-requests"} <= set(
        document["paths"]
    )
    assert "oauth2" in document["components"]["securitySchemes"]
    for path in (
        "/api/v1/consent-requests",
        "/api/v1/invoices/{invoice_id}/credit-notes",
        "/api/v1/invoices",
    ):
        headers = [p for p in document["paths"][path]["post"]["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert "first answer" in headers[0]["description"]


@pytest.fixture
def live_overrides() -> dict[str, object]:
    return {"rate_limit_api": "6 per minute"}


def test_the_api_is_rate_limited_per_token(live_server: LiveServer, software) -> None:
    first = api(live_server, software, "consents:read")
    statuses = [first.get(f"{live_server.url}/api/v1/consents").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    other = api(live_server, software, "consents:read")  # another token is counted apart
    assert other.get(f"{live_server.url}/api/v1/consents").status_code == 200
