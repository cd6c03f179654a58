"""The Stripe test server behaves as Stripe does with a request whose body never arrived.

A client killed between sending its headers and its body (as tests/invoicing/test_kill_and_restart.py
does on purpose) must leave nothing behind: Stripe never executes such a request, so nothing is
stored under its idempotency key and a retry with the same key makes the transfer. Sent on a
raw socket, because no HTTP client sends half a body on purpose.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import stripe

from tests.stripe_server import API_KEY, stripe_server

BODY = b"amount=1000&currency=gbp&destination=acct_half&metadata[payment_id]=p1"


def send_half(url: str, key: str) -> None:
    """Headers promising the whole body, then only part of it, then the connection is closed."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(
            b"POST /v1/transfers HTTP/1.1\r\n"
            + f"Host: {parts.netloc}\r\n".encode()
            + f"Authorization: Bearer {API_KEY}\r\n".encode()
            + f"Idempotency-Key: {key}\r\n".encode()
            + b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {len(BODY)}\r\n\r\n".encode()
            + BODY[:30]
        )


def wait_until_handled(state, before: int) -> None:
    """Until the server has dealt with the request, one way or the other (at most 10 seconds)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if state.requests > before or getattr(state, "incomplete", 0) > 0:
            return
        time.sleep(0.01)
    raise AssertionError("the server never finished with the request")


def test_a_request_whose_body_never_arrived_is_not_processed_and_nothing_is_stored() -> None:
    with stripe_server({"acct_half"}) as (url, state):
        send_half(url, "payment-p1")
        wait_until_handled(state, before=0)
        assert state.idempotency == {} and state.transfers == {} and state.requests == 0
        # The retry the scheduler makes with the same key is a first attempt, and pays once.
        client = stripe.StripeClient(API_KEY, base_addresses={"api": url}, max_network_retries=0)
        transfer = client.v1.transfers.create(
            params={
                "amount": 1000,
                "currency": "gbp",
                "destination": "acct_half",
                "metadata": {"payment_id": "p1"},
            },
            options={"idempotency_key": "payment-p1"},
        )
        assert transfer.amount == 1000 and list(state.transfers) == [transfer.id]
        assert state.idempotency["payment-p1"][2]["id"] == transfer.id
