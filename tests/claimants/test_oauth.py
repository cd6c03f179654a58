"""The OAuth 2.0 authorization server, driven over real HTTP by Authlib's own OAuth client."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from sqlalchemy import select

from claimants import service as claimants
from claimants.models import Consent, ConsentStatus
from providers.models import OAuthToken
from tests.conftest import LiveServer
from tests.factories import create_child, create_parent
from tests.http import User, sign_in_parent


def oauth(live_server: LiveServer, software, **kwargs: object) -> OAuth2Session:
    _, client_id, secret, redirect_uri = software
    return OAuth2Session(
        client_id,
        secret,
        token_endpoint_auth_method="client_secret_basic",
        redirect_uri=redirect_uri,
        **kwargs,
    )


def endpoint_response(live_server: LiveServer, software, name: str, token: str) -> requests.Response:
    """Call the revocation or introspection endpoint as the client (HTTP Basic, RFC 7009/7662)."""
    _, client_id, secret, _ = software
    return requests.post(
        f"{live_server.url}/oauth/{name}", data={"token": token}, auth=(client_id, secret), timeout=30
    )


def endpoint(live_server: LiveServer, software, name: str, token: str) -> dict:
    response = endpoint_response(live_server, software, name, token)
    assert response.status_code == 200, response.text
    return response.json()


def test_metadata_describes_the_server(live_server: LiveServer) -> None:
    data = User(live_server.url).get("/.well-known/oauth-authorization-server").json()
    assert data["token_endpoint"] == f"{live_server.url}/oauth/token"
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert "invoices:write" in data["scopes_supported"]


def test_client_credentials_give_a_provider_token_and_only_hashes_are_stored(
    live_server: LiveServer, db, software
) -> None:
    session = oauth(live_server, software, scope="invoices:read invoices:write")
    token = session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert token["scope"] == "invoices:read invoices:write" and "refresh_token" not in token
    stored = db.scalars(select(OAuthToken)).one()
    assert token["access_token"] not in (stored.access_token_hash, stored.scope)


def test_a_scope_the_client_may_not_have_is_refused_not_dropped(live_server: LiveServer, software) -> None:
    session = oauth(live_server, software, scope="invoices:read admin:everything")
    with pytest.raises(OAuthError) as error:
        session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    assert error.value.error == "invalid_scope"


def test_a_wrong_secret_gets_no_token(live_server: LiveServer, software) -> None:
    _, client_id, _, redirect_uri = software
    session = OAuth2Session(client_id, "not-the-secret", scope="invoices:read", redirect_uri=redirect_uri)
    with pytest.raises(OAuthError) as error:
        session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    assert error.value.error == "invalid_client"


def consent_flow(
    live_server: LiveServer, software, parent, child_id: str, decision: str = "Agree", **auth: object
):
    """The nursery software sends the parent to the consent screen; the parent answers."""
    client = oauth(live_server, software, scope="consent", code_challenge_method="S256")
    verifier = "v" * 64
    url, state = client.create_authorization_url(
        f"{live_server.url}/oauth/authorize", code_verifier=verifier, **auth
    )
    user, _ = sign_in_parent(live_server.url, parent.label)
    screen = user.get(url)
    answer = (
        user.submit(screen, decision, child=child_id)
        if decision == "Agree"
        else user.submit(screen, decision)
    )
    back = answer.history[-1].headers["Location"] if answer.history else answer.url
    return client, verifier, state, back, screen


def test_the_consent_flow_with_pkce_gives_a_token_with_the_consent(
    live_server: LiveServer, db, software
) -> None:
    parent = create_parent(db)
    child = create_child(db, parent, first_name="Zara")
    client, verifier, state, back, screen = consent_flow(live_server, software, parent, str(child.id))
    assert "Little Acorns would like to invoice DWP for your childcare" in screen.text
    query = parse_qs(urlsplit(back).query)
    assert query["state"] == [state] and query["code"]
    token = client.fetch_token(
        f"{live_server.url}/oauth/token", code=query["code"][0], code_verifier=verifier
    )
    consent = db.get(Consent, uuid.UUID(token["consent_id"]))
    assert (consent.status, consent.child_id, consent.parent_id) == (
        ConsentStatus.AUTHORISED,
        child.id,
        parent.parent_id,
    )
    assert token["refresh_token"] and token["scope"] == "consent"
    refreshed = client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=token["refresh_token"])
    assert (
        refreshed["consent_id"] == token["consent_id"]
        and refreshed["refresh_token"] != token["refresh_token"]
    )
    introspect = endpoint(live_server, software, "introspect", refreshed["access_token"])
    assert introspect["active"] is True and introspect["consent_id"] == token["consent_id"]
    claimants.revoke_consent(
        db, claimants.parent_actor(claimants.repository.get_parent(db, parent.parent_id)), consent.id
    )
    after = endpoint(live_server, software, "introspect", refreshed["access_token"])
    assert after == {"active": False}
    with pytest.raises(OAuthError):
        client.refresh_token(f"{live_server.url}/oauth/token", refresh_token=refreshed["refresh_token"])
    # Reused last: a rotated refresh token or a spent code presented again now also revokes
    # every token of its family (tests/claimants/test_oauth_reuse.py).
    with pytest.raises(OAuthError):
        client.refresh_token(
            f"{live_server.url}/oauth/token", refresh_token=token["refresh_token"]
        )  # rotated
    with pytest.raises(OAuthError) as replay:
        client.fetch_token(f"{live_server.url}/oauth/token", code=query["code"][0], code_verifier=verifier)
    assert replay.value.error == "invalid_grant"


def test_a_wrong_verifier_gets_no_token(live_server: LiveServer, db, software) -> None:
    parent = create_parent(db)
    child = create_child(db, parent)
    client, _, _, back, _ = consent_flow(live_server, software, parent, str(child.id))
    code = parse_qs(urlsplit(back).query)["code"][0]
    with pytest.raises(OAuthError) as error:
        client.fetch_token(f"{live_server.url}/oauth/token", code=code, code_verifier="w" * 64)
    assert error.value.error == "invalid_grant"


def test_declining_answers_access_denied_and_records_the_refusal(
    live_server: LiveServer, db, software
) -> None:
    parent = create_parent(db)
    create_child(db, parent)
    _, _, state, back, _ = consent_flow(live_server, software, parent, "", decision="Refuse")
    query = parse_qs(urlsplit(back).query)
    assert (query["error"], query["state"], "code" in query) == (["access_denied"], [state], False)
    assert db.scalars(select(Consent.status)).one() is ConsentStatus.REJECTED


@pytest.mark.parametrize("method", [None, "plain"])
def test_pkce_s256_is_required_even_for_a_confidential_client(
    live_server: LiveServer, db, software, method
) -> None:
    _, client_id, _, redirect_uri = software
    parent = create_parent(db)
    user, _ = sign_in_parent(live_server.url, parent.label)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "consent",
        "state": "s1",
    }
    if method:
        params |= {"code_challenge": "c" * 43, "code_challenge_method": method}
    answer = user.get("/oauth/authorize", params=params, allow_redirects=False)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_request"]


def test_an_unknown_redirect_address_is_never_redirected_to(live_server: LiveServer, db, software) -> None:
    _, client_id, _, _ = software
    parent = create_parent(db)
    user, _ = sign_in_parent(live_server.url, parent.label)
    answer = user.get(
        "/oauth/authorize",
        allow_redirects=False,
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": "https://evil.example/cb",
            "scope": "consent",
            "code_challenge": "c" * 43,
            "code_challenge_method": "S256",
        },
    )
    assert answer.status_code == 400 and "This link to give consent does not work" in answer.text


def test_revoking_an_access_token_makes_it_inactive(live_server: LiveServer, software) -> None:
    session = oauth(live_server, software, scope="invoices:read")
    token = session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    assert endpoint_response(live_server, software, "introspect", token["access_token"]).json()["active"]
    assert endpoint_response(live_server, software, "revoke", token["access_token"]).status_code == 200
    assert endpoint_response(live_server, software, "introspect", token["access_token"]).json() == {
        "active": False
    }


@pytest.fixture
def live_overrides() -> dict[str, object]:
    # Low enough for the rate-limit test below to reach, high enough for the other tests here.
    return {"rate_limit_token": "12 per minute"}


def test_the_token_endpoint_is_rate_limited_with_retry_after(live_server: LiveServer) -> None:
    answers = [
        requests.post(
            f"{live_server.url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=("nobody", "nothing"),
            timeout=30,
        )
        for _ in range(13)
    ]
    assert [a.status_code for a in answers[:12]] == [401] * 12
    limited = answers[12]
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.headers["Content-Type"] == "application/problem+json" and limited.json()["status"] == 429


@pytest.mark.parametrize("ending", ["%5C", "%22"])
def test_a_redirect_address_authlib_cannot_quote_gets_a_page_not_a_500(
    live_server: LiveServer, software, ending: str
) -> None:
    _, client_id, _, redirect_uri = software
    answer = requests.get(
        f"{live_server.url}/oauth/authorize?response_type=code&client_id={client_id}"
        f"&redirect_uri={redirect_uri}{ending}&scope=consents:read&code_challenge=x&code_challenge_method=S256",
        timeout=30,
        allow_redirects=False,
    )
    assert answer.status_code == 400 and "This link to give consent does not work" in answer.text
