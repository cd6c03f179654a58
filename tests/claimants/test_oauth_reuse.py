"""OAuth hardening (issue #18), over real HTTP with the real Authlib server and client.

A reused authorization code or rotated refresh token revokes its whole family; a refresh
token's introspection gives its own expiry; a token asked for with no scope is told why; and
consent requests are limited per provider and per parent address.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuthError

from claimants.models import Consent
from tests.claimants.test_oauth import consent_flow, endpoint, oauth
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_child, create_parent, give_password
from tests.http import sign_in_provider


@pytest.fixture
def live_overrides() -> dict[str, object]:
    return {
        "rate_limit_consent_requests_provider": "3 per hour",
        "rate_limit_consent_requests_parent": "2 per day",
    }


def tokens_from_a_code(live_server: LiveServer, software, db):
    """A parent's consent through the software: (client, verifier, code, token answer)."""
    parent = create_parent(db)
    child = create_child(db, parent)
    client, verifier, _state, back, _screen = consent_flow(live_server, software, parent, str(child.id))
    code = parse_qs(urlsplit(back).query)["code"][0]
    token = client.fetch_token(f"{live_server.url}/oauth/token", code=code, code_verifier=verifier)
    return client, verifier, code, token


def api_answers(live_server: LiveServer, token: dict) -> int:
    return requests.get(
        f"{live_server.url}/api/v1/consents/{token['consent_id']}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=30,
    ).status_code


def test_reusing_a_code_revokes_the_tokens_it_issued(live_server: LiveServer, db, software) -> None:
    client, verifier, code, token = tokens_from_a_code(live_server, software, db)
    refreshed = client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=token["refresh_token"])
    _, _, _, other = tokens_from_a_code(live_server, software, db)  # another parent, another code
    assert api_answers(live_server, refreshed) == 200
    with pytest.raises(OAuthError) as replay:
        client.fetch_token(f"{live_server.url}/oauth/token", code=code, code_verifier=verifier)
    assert replay.value.error == "invalid_grant"
    # Everything descended from the code is dead: its tokens and those refreshed from them.
    assert api_answers(live_server, refreshed) == 401
    assert endpoint(live_server, software, "introspect", refreshed["access_token"]) == {"active": False}
    assert endpoint(live_server, software, "introspect", refreshed["refresh_token"]) == {"active": False}
    with pytest.raises(OAuthError):
        client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=refreshed["refresh_token"])
    # Tokens from another code are not touched.
    assert api_answers(live_server, other) == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    live_server: LiveServer, db, software
) -> None:
    client, _, _, token = tokens_from_a_code(live_server, software, db)
    first = client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=token["refresh_token"])
    second = client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=first["refresh_token"])
    _, _, _, other = tokens_from_a_code(live_server, software, db)
    assert api_answers(live_server, second) == 200
    with pytest.raises(OAuthError) as reuse:  # the first refresh token, rotated away, again
        client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=first["refresh_token"])
    assert reuse.value.error == "invalid_grant"
    assert api_answers(live_server, second) == 401
    with pytest.raises(OAuthError):
        client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=second["refresh_token"])
    assert api_answers(live_server, other) == 200


def test_introspecting_a_refresh_token_gives_the_refresh_tokens_own_expiry(
    live_server: LiveServer, db, software
) -> None:
    _, _, _, token = tokens_from_a_code(live_server, software, db)
    consent = db.get(Consent, uuid.UUID(token["consent_id"]))
    access = endpoint(live_server, software, "introspect", token["access_token"])
    refresh = endpoint(live_server, software, "introspect", token["refresh_token"])
    assert access["active"] and refresh["active"]
    assert refresh["exp"] == int(consent.expires_at.timestamp())  # as long as the consent
    assert access["exp"] - access["iat"] == 3600 and refresh["exp"] > access["exp"] + 300 * 86400
    assert refresh["token_type"] == "refresh_token" and access["token_type"] == "Bearer"


def test_client_credentials_without_a_scope_are_told_a_scope_is_required(
    live_server: LiveServer, software
) -> None:
    _, client_id, secret, _ = software
    answer = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=30,
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope"
    assert answer.json()["error_description"].startswith("A scope is required: ask for one or more of ")
    assert "invoices:read" in answer.json()["error_description"]
    session = oauth(live_server, software, scope="invoices:read admin:everything")
    with pytest.raises(OAuthError) as other:
        session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    assert other.value.description == "A scope was asked for that this client may not have"


def test_consent_requests_through_the_api_are_limited_per_parent_and_per_provider(
    live_server: LiveServer, software
) -> None:
    _, client_id, secret, _ = software
    token = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "consents:request"},
        auth=(client_id, secret),
        timeout=30,
    ).json()["access_token"]

    def ask(email: str) -> requests.Response:
        return requests.post(
            f"{live_server.url}/api/v1/consent-requests",
            json={"parent_email": email, "child_first_name": "Sam"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    assert [ask("PAT@example.com").status_code, ask("pat@example.com").status_code] == [202, 202]
    third = ask("pat@example.com")  # the same address, whatever its case
    assert third.status_code == 429 and third.headers["Content-Type"] == "application/problem+json"
    assert int(third.headers["Retry-After"]) > 3600  # the parent's quota is per day
    assert third.json()["code"] == "too_many_requests"
    assert ask("sam@example.com").status_code == 202  # the provider's third this hour
    fourth = ask("lee@example.com")
    assert fourth.status_code == 429 and 0 < int(fourth.headers["Retry-After"]) <= 3600


def test_consent_requests_from_the_portal_are_limited_too(live_server: LiveServer, db, software) -> None:
    provider, *_ = software
    from tests.factories import provider_admin

    admin = provider_admin(provider)
    secret = give_password(db, admin, second_factor=True)
    user, _ = sign_in_provider(live_server.url, provider.users[0].email, PASSWORD, secret)
    page = user.get("/provider/consents/ask")
    answers = [
        user.submit(page, "Send request", parent_email="kim@example.com", child_first_name="Sam").status_code
        for _ in range(2)
    ]
    assert answers == [200, 200]  # each sent, then back on the consents page
    refused = user.submit(page, "Send request", parent_email="kim@example.com", child_first_name="Sam")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "You have sent too many consent requests. Try again later." in refused.text
