"""Signing in with OpenID Connect, through the whole redirect flow over real HTTP.

The development OpenID provider is a real Authlib provider served by the app under test: the
tests press its buttons as a person would; there is no way round it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from config.audit import verify_chain
from tests.conftest import LiveServer
from tests.factories import create_parent
from tests.http import User


def test_a_parent_signs_in_through_the_identity_provider_and_sees_their_account(
    live_server: LiveServer, db
) -> None:
    parent = create_parent(db)
    user = User(live_server.url)
    page = user.get("/account/sign-in")
    assert urlsplit(page.url).path == "/dev-identity/authorize"
    query = parse_qs(urlsplit(page.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["scope"] == ["openid email profile"] and query["ui_locales"] == ["en"]
    home = user.submit(page, parent.label)
    assert home.status_code == 200 and urlsplit(home.url).path == "/account/home"
    assert "Your childcare account" in home.text and parent.label in home.text
    assert verify_chain(db).ok


def test_someone_new_signs_in_and_gets_an_account(live_server: LiveServer, db) -> None:
    user = User(live_server.url)
    page = user.get("/account/sign-in")
    first = user.submit(page, "Sign in", name="Nia Evans", email="Nia@Example.com")
    assert urlsplit(first.url).path == "/account/claim"  # a first sign-in starts by linking the claim
    home = user.get("/account/home")
    assert "You have not linked your Universal Credit claim yet." in home.text
    again = User(live_server.url)
    again.submit(again.get("/account/sign-in"), "Sign in", name="Nia Evans", email="nia@example.com")
    # The same person, found again by the provider's subject, named as the provider names them.
    home = again.get("/account/home").text
    assert "Nia Evans" in home and "nia@example.com" not in home


def test_the_account_needs_signing_in_and_signing_out_ends_it(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user = User(live_server.url)
    bounced = user.get("/account/home", allow_redirects=False)
    assert bounced.status_code == 302 and "/account/sign-in" in bounced.headers["Location"]
    home = user.submit(user.get("/account/sign-in"), parent.label)
    signed_out = user.submit(home, "Sign out")
    assert urlsplit(signed_out.url).path == "/account"
    assert user.get("/account/home", allow_redirects=False).status_code == 302


def test_a_replayed_or_forged_callback_signs_nobody_in(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user = User(live_server.url)
    page = user.get("/account/sign-in")
    authorize = user.submit(page, parent.label).history[0]  # the provider's redirect with the code
    callback = authorize.headers["Location"]
    replay = User(live_server.url)
    assert replay.get(callback).status_code == 400  # another browser: no state of its own
    forged = callback.replace("state=", "state=x")
    fresh = User(live_server.url)
    fresh.get("/account/sign-in")
    assert fresh.get(forged).status_code == 400
    assert fresh.get("/account/home", allow_redirects=False).status_code == 302


def test_a_parent_is_not_staff(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user = User(live_server.url)
    user.submit(user.get("/account/sign-in"), parent.label)
    bounced = user.get("/finance/home", allow_redirects=False)
    assert bounced.status_code == 302 and "/finance/sign-in" in bounced.headers["Location"]
