"""Every way a sign-in with an identity provider can fail shows GOV.UK's "There is a problem: we
could not sign you in" page, never a server error, and signs nobody in.

Over real HTTP against the served app and its development identity provider. Where the provider
must misbehave (its userinfo endpoint failing, its keys not matching the ID token's signature),
the test swaps that one endpoint of the served provider: the relying party's code is unchanged.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import jsonify
from joserfc.jwk import RSAKey

from config.auth import StaffRole
from tests.conftest import LiveServer
from tests.factories import create_parent, create_staff
from tests.http import User

PROBLEM = "There is a problem: we could not sign you in"
PORTALS = [("/account", "parent"), ("/finance", "staff")]


def _start(live_server: LiveServer, db, portal: str) -> tuple[User, object, str]:
    """A browser that has started signing in, on the provider's page, and whom to press."""
    if portal == "/account":
        who = create_parent(db).label
    else:
        who = create_staff(db, StaffRole.CASEWORKER, name="Cai Caseworker").label
    user = User(live_server.url)
    return user, user.get(f"{portal}/sign-in"), who


def _is_problem(answer, portal: str, user: User) -> None:
    assert answer.status_code in {400, 403}, answer.status_code
    assert PROBLEM in answer.text and "Try signing in again" in answer.text
    home = "/account/home" if portal == "/account" else "/finance/home"
    assert user.get(home, allow_redirects=False).status_code == 302


@pytest.mark.parametrize("portal, _kind", PORTALS)
def test_a_state_that_does_not_match_is_a_sign_in_problem(live_server: LiveServer, db, portal, _kind) -> None:
    user, page, who = _start(live_server, db, portal)
    redirect = user.submit(page, who).history[0].headers["Location"]
    fresh = User(live_server.url)
    fresh.get(f"{portal}/sign-in")
    _is_problem(fresh.get(redirect.replace("state=", "state=forged")), portal, fresh)
    _is_problem(User(live_server.url).get(redirect), portal, User(live_server.url))  # no state at all


@pytest.mark.parametrize("portal, _kind", PORTALS)
def test_the_identity_providers_error_answer_is_a_sign_in_problem(
    live_server: LiveServer, db, portal, _kind
) -> None:
    user, page, _who = _start(live_server, db, portal)
    state = parse_qs(urlsplit(page.url).query)["state"][0]
    query = urlencode({"error": "access_denied", "error_description": "The user said no", "state": state})
    answer = user.get(f"{portal}/sign-in/callback?{query}")
    _is_problem(answer, portal, user)
    assert "The user said no" in answer.text


@pytest.mark.own_app
@pytest.mark.parametrize("portal, _kind", PORTALS)
def test_a_failing_userinfo_endpoint_is_a_sign_in_problem(live_server: LiveServer, db, portal, _kind) -> None:
    live_server.app.view_functions["dev_identity.userinfo"] = lambda: ("upstream broke", 502)
    user, page, who = _start(live_server, db, portal)
    _is_problem(user.submit(page, who), portal, user)


@pytest.mark.own_app
@pytest.mark.parametrize("portal, _kind", PORTALS)
def test_an_id_token_signed_with_a_key_the_provider_does_not_publish_is_a_sign_in_problem(
    live_server: LiveServer, db, portal, _kind
) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "someone-else", "use": "sig"})
    live_server.app.view_functions["dev_identity.jwks"] = lambda: jsonify(
        {"keys": [stranger.as_dict(private=False)]}
    )
    user, page, who = _start(live_server, db, portal)
    _is_problem(user.submit(page, who), portal, user)


@pytest.mark.own_app
def test_a_userinfo_answer_that_is_not_json_is_a_sign_in_problem(live_server: LiveServer, db) -> None:
    live_server.app.view_functions["dev_identity.userinfo"] = lambda: ("<html>not json</html>", 200)
    user, page, who = _start(live_server, db, "/account")
    _is_problem(user.submit(page, who), "/account", user)
