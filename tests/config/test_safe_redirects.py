"""After signing in, a person lands on a page of this service, never on another site (issue #18).

Each portal is signed in to over real HTTP with hostile ``next`` values written into the link as
an attacker would (already percent-encoded where a browser would send them so). Redirects are
followed by hand so that a Location pointing away from the served app is caught, not fetched.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
import requests

from config.auth import Actor, StaffRole
from config.extensions import database
from providers import accounts
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_parent, create_provider, create_provider_user, create_staff
from tests.http import User, forms

HOSTILE = [
    "/%09/evil.example/",  # the tab is dropped by browsers: //evil.example/
    "/%0A/x",  # a newline in the Location header used to answer 500
    "/%0D%0ASet-Cookie:%20x=1",
    "//evil.example",
    "/\\evil.example",
    "/%5Cevil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "/%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%E2%88%95%E2%88%95evil.example",  # two division slashes, which some browsers read as //
    "/provider/%E9",  # not UTF-8
    "/\u00e9",  # unicode, sent as UTF-8
    "/" + "a" * 5000,  # very long
    "/provider/../finance/home",
    "/no-such-page",
    "%2F%2Fevil.example",
    " /provider/team",
]


@pytest.fixture
def live_overrides() -> dict[str, object]:
    # each test signs in twenty times, as one account
    return {"rate_limit_sign_in": "1000 per minute", "rate_limit_sign_in_account": "1000 per minute"}


def follow(user: User, response: requests.Response, base: str) -> requests.Response:
    """Follow redirects by hand while they stay on the served app; fail on one that leaves it."""
    for _ in range(10):
        if response.status_code not in (301, 302, 303, 307, 308):
            return response
        location = response.headers["Location"]
        target = urljoin(response.url, location)
        assert urlsplit(target).netloc == urlsplit(base).netloc, f"sent to another site: {location!r}"
        assert not location.startswith("//") and "\\" not in location, location
        response = user.http.get(target, allow_redirects=False, timeout=30)
    raise AssertionError("too many redirects")


def press(user: User, page: requests.Response, button: str, **values: str) -> requests.Response:
    """Press a form button without following the answer's redirect."""
    for form in forms(page):
        if button in form.buttons:
            pressed = dict([form.button_values[button]]) if button in form.button_values else {}
            target = urljoin(page.url, form.action or page.url)
            data = {**form.fields, **pressed, **values}
            return user.http.request(form.method, target, data=data, allow_redirects=False, timeout=30)
    raise AssertionError(f"no {button!r} button on {page.url}")


def nursery_sign_in(live_server: LiveServer, email: str, next_value: str) -> requests.Response:
    user = User(live_server.url)
    page = user.http.get(f"{live_server.url}/provider/sign-in?next={next_value}", timeout=30)
    assert page.status_code == 200, page.text[:500]
    code_page = follow(user, press(user, page, "Sign in", email=email, password=PASSWORD), live_server.url)
    # Everyone has a second factor (issue #18): a recovery code each time, as codes work once.
    return follow(user, press(user, code_page, "Continue", code=_recovery_code(email)), live_server.url)


_LOGINS: dict[str, tuple[Actor, list[str]]] = {}


def _recovery_code(email: str) -> str:
    actor, codes = _LOGINS[email]
    if len(codes) == 1:  # the last one gets a new set, as a person would
        with database().session_factory() as session:
            last = codes.pop()
            codes.extend(accounts.replace_recovery_codes(session, actor, last))
    return codes.pop()


def parent_sign_in(live_server: LiveServer, name: str, next_value: str) -> requests.Response:
    user = User(live_server.url)
    start = user.http.get(f"{live_server.url}/account/sign-in?next={next_value}", timeout=30)
    assert start.status_code == 200, start.text[:500]  # the identity provider's page
    return follow(user, press(user, start, name), live_server.url)


def staff_sign_in(live_server: LiveServer, name: str, next_value: str) -> requests.Response:
    user = User(live_server.url)
    start = user.http.get(f"{live_server.url}/finance/sign-in?next={next_value}", timeout=30)
    assert start.status_code == 200, start.text[:500]
    return follow(user, press(user, start, name), live_server.url)


@pytest.fixture
def nursery_email(live_server: LiveServer, db) -> str:
    provider, admin = create_provider(db)
    colleague = create_provider_user(db, provider, admin)
    secret = accounts.new_totp_secret()  # staff too must have a second factor now (issue #18)
    codes = accounts.set_up_second_factor(db, colleague, secret, pyotp.TOTP(secret).now())
    email = db.get(type(provider.users[0]), colleague.id).email
    _LOGINS[email] = (colleague, codes)
    return email


def landings(sign_in, values: list[str]) -> dict[str, str]:
    """Where each hostile value led: its final status and path (one served app for them all)."""
    return {value: f"{(page := sign_in(value)).status_code} {urlsplit(page.url).path}" for value in values}


def test_nursery_sign_in_never_sends_anyone_to_another_site(
    live_server: LiveServer, nursery_email: str
) -> None:
    landed = landings(lambda value: nursery_sign_in(live_server, nursery_email, value), HOSTILE)
    assert landed == dict.fromkeys(HOSTILE, "200 /provider/home")


def test_nursery_sign_in_still_goes_on_to_a_page_of_the_portal(
    live_server: LiveServer, nursery_email: str
) -> None:
    landed = nursery_sign_in(live_server, nursery_email, "/provider/consents")
    assert landed.status_code == 200 and urlsplit(landed.url).path == "/provider/consents"
    # A page of another portal is not where nursery sign-in leads.
    other = nursery_sign_in(live_server, nursery_email, "/finance/home")
    assert urlsplit(other.url).path == "/provider/home"


def test_parent_sign_in_never_sends_anyone_to_another_site(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    landed = landings(lambda value: parent_sign_in(live_server, parent.label, value), HOSTILE)
    assert landed == dict.fromkeys(HOSTILE, "200 /account/home")


def test_parent_sign_in_still_goes_on_to_their_own_pages(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    landed = parent_sign_in(live_server, parent.label, "/account/consents")
    assert landed.status_code == 200 and urlsplit(landed.url).path == "/account/consents"


def test_adding_a_child_never_sends_the_parent_to_another_site(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user = User(live_server.url)
    follow(user, press(user, user.get("/account/sign-in"), parent.label), live_server.url)
    values = ["//evil.example", "/%09/evil.example/", "/%0A/x", "https://evil.example"]
    assert {value: add_child(live_server, user, value) for value in values} == dict.fromkeys(
        values, "200 /account/home"
    )


def add_child(live_server: LiveServer, user: User, next_value: str) -> str:
    page = user.http.get(f"{live_server.url}/account/children/new?next={next_value}", timeout=30)
    assert page.status_code == 200
    added = press(
        user,
        page,
        "Add child",
        first_name="Sam",
        last_name="Test",
        date_of_birth=["1", "6", "2023"],  # type: ignore[arg-type]  # three boxes, one name
        disabled="no",
    )
    landed = follow(user, added, live_server.url)
    return f"{landed.status_code} {urlsplit(landed.url).path}"


def test_staff_sign_in_never_sends_anyone_to_another_site(live_server: LiveServer, db) -> None:
    create_staff(db, StaffRole.CASEWORKER, name="Cai Caseworker")
    values = [*HOSTILE, "/financehome", "/finance-evil"]
    landed = landings(lambda value: staff_sign_in(live_server, "Cai Caseworker", value), values)
    assert landed == dict.fromkeys(values, "200 /finance/home")


def test_staff_sign_in_still_goes_on_to_a_finance_page(live_server: LiveServer, db) -> None:
    create_staff(db, StaffRole.CASEWORKER, name="Cai Caseworker")
    landed = staff_sign_in(live_server, "Cai Caseworker", "/finance/queue")
    assert urlsplit(landed.url).path == "/finance/queue", landed.url
