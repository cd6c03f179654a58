"""What the service answers stays private (issue #18): no caching of personal pages, links built
from BASE_URL whatever Host says, /metrics only for the scraper, registration answers kept on the
server. Over real HTTP against the served app.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask
from sqlalchemy import select

from config.app import create_app
from config.auth import StaffRole
from config.notify import Notification
from config.settings import Settings
from providers.models import RegistrationDraft
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, create_staff, give_password
from tests.http import User, forms, sign_in_parent, sign_in_provider, sign_in_staff


def test_signed_in_pages_and_api_answers_are_never_stored(live_server: LiveServer, db) -> None:
    world = World(db)
    create_staff(db, StaffRole.CASEWORKER, name="Cai Caseworker")
    secret = give_password(db, world.provider_user, second_factor=True)
    nursery, home = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    parent, parent_home = sign_in_parent(live_server.url, world.parent.label)
    staff, staff_home = sign_in_staff(live_server.url, "Cai Caseworker")
    pages = [
        home,
        nursery.get("/provider/consents"),
        nursery.get("/provider/invoices"),
        parent_home,
        parent.get("/account/consents"),
        staff_home,
        staff.get("/finance/queue"),
    ]
    assert [(urlsplit(p.url).path, p.status_code, p.headers.get("Cache-Control")) for p in pages] == [
        (urlsplit(p.url).path, 200, "no-store") for p in pages
    ]
    from providers import service as providers

    client, client_secret = providers.register_api_client(db, world.provider_user, name="S", redirect_uris=[])
    token = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "scope": "invoices:read consents:read"},
        auth=(client.client_id, client_secret),
        timeout=30,
    )
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    answers = [
        token,
        requests.get(f"{live_server.url}/api/v1/invoices", headers=bearer, timeout=30),
        requests.get(f"{live_server.url}/api/v1/consents/{world.consent.id}", headers=bearer, timeout=30),
        requests.get(f"{live_server.url}/api/v1/consents/{world.consent.id}", timeout=30),  # a 401
    ]
    assert [a.headers.get("Cache-Control") for a in answers] == ["no-store"] * 4
    # The GOV.UK assets are the same for everyone and may be cached.
    css = requests.get(f"{live_server.url}/assets/govuk-frontend.min.css", timeout=30)
    assert css.status_code == 200 and css.headers.get("Cache-Control") != "no-store"


def test_sign_in_addresses_come_from_base_url_whatever_host_the_request_names(
    live_server: LiveServer, db
) -> None:
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    for start, callback in (
        ("/account/sign-in", "/account/sign-in/callback"),
        ("/finance/sign-in", "/finance/sign-in/callback"),
    ):
        answer = requests.get(f"{live_server.url}{start}", headers=evil, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, answer.text
        redirect_uri = parse_qs(urlsplit(answer.headers["Location"]).query)["redirect_uri"]
        assert redirect_uri == [f"{live_server.url}{callback}"]
        assert "evil.example" not in answer.headers["Location"]


def test_invitation_links_in_emails_come_from_base_url(live_server: LiveServer, db) -> None:
    world = World(db)
    secret = give_password(db, world.provider_user, second_factor=True)
    user, _ = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    # requests keeps cookies by the Host header it sends, so the session cookie goes by hand.
    headers = {"Host": "evil.example", "Cookie": f"session={user.http.cookies.get('session')}"}
    form = requests.get(f"{live_server.url}/provider/team/invite", headers=headers, timeout=30)
    assert form.status_code == 200, form.url
    csrf = next(f.fields["csrf_token"] for f in forms(form) if "csrf_token" in f.fields)
    sent = requests.post(
        f"{live_server.url}/provider/team/invite",
        data={"csrf_token": csrf, "name": "Cara Colleague", "email": "cara@nursery.example", "role": "staff"},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 302, sent.text[:500]
    db.expire_all()
    link = db.scalars(select(Notification).where(Notification.email == "cara@nursery.example")).one()
    assert link.personalisation["link"].startswith(f"{live_server.url}/provider/invitations/")


def test_metrics_need_their_own_token_when_one_is_set(app: Flask, settings: Settings) -> None:
    guarded = create_app(Settings(**{**settings.__dict__, "metrics_token": "m" * 40}))
    client = guarded.test_client()
    try:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": f"Basic {'m' * 40}"}).status_code == 401
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {'m' * 40}"})
        assert answer.status_code == 200 and b"ccd_http_requests_total" in answer.data
    finally:
        guarded.extensions["database"].engine.dispose()  # its own pool: close what it opened


def test_production_serves_no_metrics_without_a_token() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level  # production logs as JSON: put pytest's back
    try:
        production = create_app(
            Settings(
                environment="production",
                database_url="postgresql+psycopg://nobody@127.0.0.1:1/none",  # never connected to
                secret_key="p" * 40,
            )
        )
    finally:
        root.handlers, root.level = handlers, level
    assert production.test_client().get("/metrics").status_code == 404


def register_until_the_check_page(user: User) -> requests.Response:
    page = user.submit(user.get("/provider/register/regulator"), "Continue", regulator="ofsted")
    page = user.submit(page, "Continue", registration_number="EY123456")
    page = user.submit(page, "Continue", name="Little Acorns")
    page = user.submit(page, "Continue", postcode="LS1 4AP")
    page = user.submit(page, "Continue", region="Yorkshire and The Humber")
    page = user.submit(
        page, "Continue", account_name="Little Acorns Ltd", sort_code="089999", account_number="66374958"
    )
    page = user.submit(page, "Continue", admin_name="Nadia Khan", admin_email="nadia@acorns.example")
    return user.submit(page, "Continue", password="three random words")


def session_of(live_server: LiveServer, user: User) -> dict:
    cookie = user.http.cookies.get("session")
    serializer = live_server.app.session_interface.get_signing_serializer(live_server.app)
    return serializer.loads(cookie)


def test_registration_answers_are_kept_on_the_server_not_in_the_cookie(live_server: LiveServer, db) -> None:
    user = User(live_server.url)
    check = register_until_the_check_page(user)
    assert urlsplit(check.url).path == "/provider/register/check-answers" and "66374958" in check.text
    cookie = session_of(live_server, user)
    assert set(cookie) <= {"registration_draft", "csrf_token", "_flashes"}, cookie
    kept = " ".join(map(str, cookie.values()))
    assert not [secret for secret in ("66374958", "argon2", "nadia", "EY123456") if secret in kept]
    raw = user.http.cookies.get("session")
    assert "argon2" not in raw and "66374958" not in raw
    draft = db.scalars(select(RegistrationDraft)).one()
    assert draft.answers["account_number"] == "66374958" and draft.answers["password_hash"].startswith(
        "$argon2id$"
    )
    assert cookie["registration_draft"] not in draft.token_hash  # only the token's hash is stored

    # Another browser with a made-up token starts again, and sees none of it.
    stranger = User(live_server.url)
    stranger.get("/provider/register")
    forged = dict(cookie)
    forged["registration_draft"] = "made-up"
    serializer = live_server.app.session_interface.get_signing_serializer(live_server.app)
    stranger.http.cookies.set("session", serializer.dumps(forged), domain=urlsplit(live_server.url).hostname)
    assert (
        urlsplit(stranger.get("/provider/register/check-answers").url).path == "/provider/register/regulator"
    )

    done = user.submit(check, "Register")
    assert urlsplit(done.url).path == "/provider/register/done"
    db.expire_all()
    assert db.scalars(select(RegistrationDraft)).all() == []  # gone once registered
