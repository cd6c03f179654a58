"""Webhook addresses cannot make the service call its own network (issue #18, SSRF).

Addresses are refused when saved (over HTTP in the portal, and through the service with an
injected resolver for names), and checked again at each delivery. The resolver is injected in
the delivery tests: no real DNS name here points where these tests need it to, and only
addresses on this machine are ever connected to (a refused address is never connected to, so
no test sends anything to a private or public address). Receivers are real HTTP servers on
127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from config import settings as settings_module
from config.errors import ValidationFailed
from config.settings import Settings
from invoicing import service as invoicing
from providers import addresses, webhooks
from providers import service as providers
from providers.models import ApiClient, WebhookDelivery
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password
from tests.http import sign_in_provider

PUBLIC_IP = "151.101.0.1"  # never connected to: only checked

REFUSED = {
    "http://localhost@evil.example/hook": addresses.NO_USER_INFO,
    "https://user:secret@software.example/hook": addresses.NO_USER_INFO,
    "http://127.0.0.1.evil.example/hook": addresses.MUST_BE_HTTPS,
    "http://software.example/hook": addresses.MUST_BE_HTTPS,
    "ftp://software.example/hook": addresses.MUST_BE_HTTPS,
    "https://169.254.169.254/latest/meta-data/": addresses.NOT_PUBLIC,
    "https://10.0.0.5:8443/admin": addresses.NOT_PUBLIC,
    "https://192.168.1.1/": addresses.NOT_PUBLIC,
    "https://172.16.0.1/": addresses.NOT_PUBLIC,
    "https://100.64.0.1/": addresses.NOT_PUBLIC,
    "https://0.0.0.0/": addresses.NOT_PUBLIC,
    "https://224.0.0.1/": addresses.NOT_PUBLIC,
    "https://240.0.0.1/": addresses.NOT_PUBLIC,
    "https://[fe80::1]/": addresses.NOT_PUBLIC,
    "https://[fd00::1]/": addresses.NOT_PUBLIC,
    "https://[::ffff:10.0.0.5]/": addresses.NOT_PUBLIC,
    "https://[::ffff:169.254.169.254]/": addresses.NOT_PUBLIC,
    "https://[64:ff9b::a9fe:a9fe]/": addresses.NOT_PUBLIC,
    "https://[2002:a00:5::]/": addresses.NOT_PUBLIC,
    "https://metadata.google.internal/computeMetadata/v1/": addresses.NOT_PUBLIC,
    "https://printer.local/": addresses.NOT_PUBLIC,
    "https://2130706433/": addresses.NOT_A_WEB_ADDRESS,  # 127.0.0.1 to a lenient resolver
    "https://0x7f.1/": addresses.NOT_A_WEB_ADDRESS,
    "https://127.1/": addresses.NOT_A_WEB_ADDRESS,
    "https://software.example:99999/": addresses.NOT_A_WEB_ADDRESS,
    "https://software.example/hook#part": addresses.NO_FRAGMENT,
    "https://software.example\\@evil.example/": addresses.NOT_A_WEB_ADDRESS,
    "https://soft ware.example/": addresses.NOT_A_WEB_ADDRESS,
    "https:///hook": addresses.NOT_A_WEB_ADDRESS,
    "https://sóftware.example/": addresses.NOT_A_WEB_ADDRESS,
}
PRODUCTION_ONLY_REFUSED = [
    "http://127.0.0.1:8080/hook",
    "https://127.0.0.1/hook",
    "https://localhost/hook",
    "https://app.localhost/hook",
    "https://[::1]/hook",
]


def resolver(*answers: list[str]) -> addresses.Resolver:
    """Answers the given addresses for any name, one list per call (the last one repeats)."""
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return list(answers[min(len(calls), len(answers)) - 1])

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's rules as in production (only the settings object: no production app)."""
    monkeypatch.setattr(
        settings_module,
        "_current",
        Settings(
            environment="production",
            database_url="postgresql+psycopg://unused@127.0.0.1/unused",
            secret_key="p" * 40,
        ),
    )


def test_each_bad_webhook_address_is_refused_in_the_portal_with_a_clear_message(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    secret = give_password(db, world.provider_user, second_factor=True)
    user, _ = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    form = user.get("/provider/software/new")
    shown = {}
    for address, message in REFUSED.items():
        page = user.submit(form, "Create client", name="Soft", redirect_uris="", webhook_url=address)
        shown[address] = (page.status_code, message in page.text.replace("&#39;", "'"))
    assert shown == dict.fromkeys(REFUSED, (400, True))
    assert db.scalars(select(ApiClient)).all() == []


@pytest.mark.parametrize("address", list(REFUSED))
def test_each_bad_webhook_address_is_refused_by_the_service(session, address: str) -> None:
    world = World(session)
    with pytest.raises(ValidationFailed) as refused:
        providers.register_api_client(
            session,
            world.provider_user,
            name="Soft",
            redirect_uris=[],
            webhook_url=address,
            resolve=resolver([PUBLIC_IP]),
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [("webhook_url", REFUSED[address])]


@pytest.mark.parametrize(
    "answer",
    [["10.0.0.5"], ["127.0.0.1"], [PUBLIC_IP, "169.254.169.254"], ["fe80::1%eth0"], ["::ffff:192.168.0.1"]],
)
def test_a_name_that_resolves_to_an_internal_address_is_refused_when_saved(
    session, production, answer: list[str]
) -> None:
    world = World(session)
    with pytest.raises(ValidationFailed) as refused:
        providers.register_api_client(
            session,
            world.provider_user,
            name="Soft",
            redirect_uris=[],
            webhook_url="https://hooks.nursery.example/events",
            resolve=resolver(answer),
        )
    assert refused.value.errors[0].message == addresses.NOT_PUBLIC


@pytest.mark.parametrize("address", PRODUCTION_ONLY_REFUSED)
def test_production_refuses_this_machine_too(session, production, address: str) -> None:
    world = World(session)
    with pytest.raises(ValidationFailed) as refused:
        providers.register_api_client(
            session,
            world.provider_user,
            name="Soft",
            redirect_uris=[],
            webhook_url=address,
            resolve=resolver(["127.0.0.1"]),
        )
    assert refused.value.errors[0].field == "webhook_url"


def test_development_and_test_allow_this_machine_and_public_names(session) -> None:
    world = World(session)
    for address in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "https://hooks.nursery.example/x"):
        client, _ = providers.register_api_client(
            session,
            world.provider_user,
            name="Soft",
            redirect_uris=[],
            webhook_url=address,
            resolve=resolver([PUBLIC_IP]),
        )
        assert client.webhook_url == address


def test_redirect_addresses_are_parsed_not_matched_by_prefix(session) -> None:
    world = World(session)
    for bad in (
        "http://127.0.0.1.evil.example/callback",
        "http://localhost.evil.example/callback",
        "http://localhost@evil.example/callback",
        "https://app.example/callback#fragment",
        "javascript:alert(1)",
    ):
        with pytest.raises(ValidationFailed) as refused:
            providers.register_api_client(session, world.provider_user, name="Soft", redirect_uris=[bad])
        assert refused.value.errors[0].field == "redirect_uris", bad
    client, _ = providers.register_api_client(
        session,
        world.provider_user,
        name="Soft",
        redirect_uris=[
            "https://app.example/callback",
            "http://127.0.0.1:8765/callback",
            "http://localhost/cb",
        ],
    )
    assert len(client.redirect_uris) == 3


# --- delivery ---------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1; ``redirect`` makes it answer 302 to ``/elsewhere``."""

    redirect: bool = False
    received: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.received.append((request.path, dict(request.headers)))
        if self.redirect and request.path != "/elsewhere":
            return Response("moved", status=302, headers={"Location": "/elsewhere"})(environ, start_response)
        return Response("ok")(environ, start_response)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, int]]:
    endpoint = Receiver()
    server = make_server("127.0.0.1", 0, endpoint, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint, server.port
    server.shutdown()


def queued_delivery(session, address: str, resolve: addresses.Resolver) -> WebhookDelivery:
    world = World(session)
    providers.register_api_client(
        session, world.provider_user, name="Soft", redirect_uris=[], webhook_url=address, resolve=resolve
    )
    invoicing.confirm_invoice(session, world.parent, world.submit().id)  # → invoice.confirmed
    return session.scalars(select(WebhookDelivery)).one()


def deliver(session, delivery: WebhookDelivery, *, allow_loopback: bool, resolve) -> str:
    def post(url: str, body: bytes, headers: dict[str, str]) -> int:
        return webhooks.post_checked(url, body, headers, allow_loopback=allow_loopback, resolve=resolve)

    webhooks.deliver_due(session, post=post)
    session.refresh(delivery)
    return delivery.last_response or ""


def test_a_name_pointed_at_an_internal_address_after_it_was_saved_is_not_posted_to(
    session, production, receiver
) -> None:
    endpoint, port = receiver
    # Public when saved; this machine (where the receiver listens) when delivered: DNS rebinding.
    rebinding = resolver([PUBLIC_IP], ["127.0.0.1"])
    delivery = queued_delivery(session, f"https://hooks.nursery.example:{port}/hook", rebinding)
    assert deliver(session, delivery, allow_loopback=False, resolve=rebinding) == "address not allowed"
    assert endpoint.received == [] and rebinding.calls == ["hooks.nursery.example"] * 2


def test_delivery_connects_to_the_address_it_checked_and_names_the_host(session, receiver) -> None:
    endpoint, port = receiver
    resolve = resolver(["127.0.0.1"])
    delivery = queued_delivery(session, f"http://app.localhost:{port}/hook", resolve)
    assert deliver(session, delivery, allow_loopback=True, resolve=resolve) == "HTTP 200"
    [(path, headers)] = endpoint.received
    assert path == "/hook" and headers["Host"] == f"app.localhost:{port}"


def test_redirects_are_not_followed(session, receiver) -> None:
    endpoint, port = receiver
    endpoint.redirect = True
    delivery = queued_delivery(session, f"http://127.0.0.1:{port}/hook", addresses.system_resolver)
    answer = deliver(session, delivery, allow_loopback=True, resolve=addresses.system_resolver)
    assert answer == "HTTP 302 (redirects are not followed)"
    assert [path for path, _ in endpoint.received] == ["/hook"]  # /elsewhere never asked


def test_the_log_says_could_not_connect_whatever_stopped_the_post(session) -> None:
    """A closed port and a port that hangs up look the same in the log (no port scanning)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        closed_port = closed.getsockname()[1]  # bound, never listening: refused
    hang_up = socket.socket()
    hang_up.bind(("127.0.0.1", 0))
    hang_up.listen(5)

    def accept_and_close() -> None:
        for _ in range(3):
            try:
                connection, _ = hang_up.accept()
            except OSError:
                return
            connection.close()

    threading.Thread(target=accept_and_close, daemon=True).start()
    try:
        answers = []
        for port in (closed_port, hang_up.getsockname()[1]):
            session.query(WebhookDelivery).delete()
            session.commit()
            delivery = queued_delivery(session, f"http://127.0.0.1:{port}/hook", addresses.system_resolver)
            answers.append(deliver(session, delivery, allow_loopback=True, resolve=addresses.system_resolver))
    finally:
        hang_up.close()
    assert answers == ["could not connect", "could not connect"]
