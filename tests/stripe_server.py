"""A small stateful Stripe-compatible server for the Connect rail's tests (no Stripe is reachable here).

It implements what the rail uses, with Stripe's documented shapes and rules:

- ``POST /v1/transfers`` (form-encoded, ``metadata[...]``), ``GET /v1/transfers/{id}`` and
  ``GET /v1/transfers`` (``transfer_group``, ``limit``, ``starting_after``; a list object with
  ``has_more``);
- idempotency: the same ``Idempotency-Key`` with the same parameters answers the first answer again
  (``Idempotent-Replayed: true``); with other parameters it is a 400 ``idempotency_error``; a
  request that failed before it started executing is not remembered, as at Stripe, and neither
  is one whose body never arrived in full (a client killed between its headers and its body):
  it is not processed at all, nothing is stored under its key and the connection is closed;
- errors as ``{"error": {"type", "code", "message", "param"}}``: an unknown destination is a 400
  ``resource_missing``, a wrong key a 401;
- faults on demand, consumed one per transfer request: ``error_before`` (500, nothing made),
  ``error_after`` (the transfer is made, the answer is a 500), ``timeout_after`` (made, then no
  answer until the client gives up), ``drop_before`` / ``drop_after`` (the connection is closed
  without an answer, before or after making it); and a ``latency`` for every request.

It is the edge we cannot run for real, so it is faked here, and only here.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk_test_childcare_direct"


def _nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding: ``metadata[batch_id]=x`` → ``{"metadata": {"batch_id": "x"}}``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if "[" in key and key.endswith("]"):
            outer, inner = key[:-1].split("[", 1)
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


@dataclass
class StripeState:
    accounts: set[str] = field(default_factory=set)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)  # in the order they were made
    groups: dict[str | None, list[str]] = field(default_factory=dict)  # transfer ids by transfer_group
    idempotency: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    latency: float = 0.0
    requests: int = 0
    incomplete: int = 0  # requests dropped because their body did not arrive in full
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, transfer: dict[str, Any]) -> None:
        """Keep a transfer (made here, or put here by a benchmark setting up thousands at once)."""
        self.transfers[transfer["id"]] = transfer
        self.groups.setdefault(transfer.get("transfer_group"), []).append(transfer["id"])

    def listed(self, group: str | None) -> list[dict[str, Any]]:
        """Newest first, as Stripe lists them; one group's transfers without reading every other."""
        ids = self.groups.get(group, []) if group is not None else list(self.transfers)
        return [self.transfers[transfer_id] for transfer_id in reversed(ids)]

    def transfers_for(self, payment_id: str) -> list[dict[str, Any]]:
        return [t for t in self.transfers.values() if t["metadata"].get("payment_id") == payment_id]

    def reverse(self, transfer_id: str) -> None:
        transfer = self.transfers[transfer_id]
        transfer["reversed"], transfer["amount_reversed"] = True, transfer["amount"]

    def tamper(self, transfer_id: str, **changes: Any) -> None:
        self.transfers[transfer_id].update(changes)


def _error(status: int, kind: str, message: str, code: str | None = None, param: str | None = None):
    return status, {"error": {"type": kind, "code": code, "message": message, "param": param}}


class _Handler(BaseHTTPRequestHandler):
    state: StripeState
    protocol_version = "HTTP/1.1"  # keep-alive, as Stripe's API: one connection for many requests
    timeout = 30  # a client that stops sending mid-body is given up on, not waited for forever
    wbufsize = 1 << 16  # each answer leaves in one write (flushed after each request)...
    disable_nagle_algorithm = True  # ...at once, not after the client's delayed acknowledgement

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _authorised(self) -> bool:
        return self.headers.get("Authorization", "") == f"Bearer {API_KEY}"

    def _send(self, status: int, body: dict[str, Any], replayed: bool = False) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(8))
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        self.connection.close()

    def do_GET(self) -> None:
        time.sleep(self.state.latency)
        if not self._authorised():
            self._send(*_error(401, "invalid_request_error", "Invalid API Key provided"))
            return
        with self.state.lock:  # read under the lock, answer outside it
            answer = self._read(urlsplit(self.path))
        self._send(*answer)

    def _read(self, url: Any) -> tuple[int, dict[str, Any]]:
        query = dict(parse_qsl(url.query))
        if url.path.startswith("/v1/transfers/"):
            transfer = self.state.transfers.get(url.path.rsplit("/", 1)[1])
            if transfer is None:
                return _error(404, "invalid_request_error", "No such transfer", "resource_missing", "id")
            return 200, dict(transfer)
        if url.path == "/v1/transfers":
            rows = self.state.listed(query.get("transfer_group"))
            if "starting_after" in query:
                ids = [t["id"] for t in rows]
                after = query["starting_after"]
                rows = rows[ids.index(after) + 1 :] if after in ids else []
            limit = int(query.get("limit", 10))
            page = [dict(transfer) for transfer in rows[:limit]]
            return 200, {
                "object": "list",
                "url": "/v1/transfers",
                "has_more": len(rows) > limit,
                "data": page,
            }
        return _error(404, "invalid_request_error", f"Unrecognized request URL (GET: {url.path})")

    def _body(self) -> str | None:
        """The whole body, or None if the client went away (or stalled) before sending all of it."""
        try:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length) if length > 0 else b""
        except (OSError, ValueError):
            raw, length = b"", 1
        if len(raw) < length:
            return None
        return raw.decode("utf-8", errors="replace")

    def do_POST(self) -> None:
        time.sleep(self.state.latency)
        raw = self._body()
        if raw is None:  # as at Stripe: a request that never fully arrived is never executed
            with self.state.lock:
                self.state.incomplete += 1
            self.close_connection = True
            return
        if not self._authorised():
            self._send(*_error(401, "invalid_request_error", "Invalid API Key provided"))
            return
        if urlsplit(self.path).path != "/v1/transfers":
            self._send(*_error(404, "invalid_request_error", f"Unrecognized request URL (POST: {self.path})"))
            return
        params = _nest(parse_qsl(raw, keep_blank_values=True))
        fingerprint = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
        key = self.headers.get("Idempotency-Key")
        with self.state.lock:
            self.state.requests += 1
            fault = self.state.faults.pop(0) if self.state.faults else None
            if fault == "drop_before":
                self._drop()
                return
            if fault == "error_before":
                self._send(*_error(500, "api_error", "An unknown error occurred"))
                return
            if key and key in self.state.idempotency:
                seen, status, body = self.state.idempotency[key]
                if seen != fingerprint:
                    self._send(
                        *_error(
                            400,
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same parameters "
                            "they were first used with.",
                        )
                    )
                    return
                self._send(status, body, replayed=True)
                return
            status, body = self._create(params)
            if key:
                self.state.idempotency[key] = (fingerprint, status, body)
        if fault == "error_after":
            self._send(*_error(500, "api_error", "An unknown error occurred"))
        elif fault == "timeout_after":
            time.sleep(30)
            self._drop()
        elif fault == "drop_after":
            self._drop()
        else:
            self._send(status, body)

    def _create(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            return _error(
                400, "invalid_request_error", "Invalid integer", "parameter_invalid_integer", "amount"
            )
        if amount < 1:
            return _error(
                400, "invalid_request_error", "Amount must be at least 1", "amount_too_small", "amount"
            )
        destination = params.get("destination", "")
        if destination not in self.state.accounts:
            return _error(
                400,
                "invalid_request_error",
                f"No such destination: '{destination}'",
                "resource_missing",
                "destination",
            )
        transfer = {
            "id": "tr_" + secrets.token_hex(12),
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "created": int(time.time()),
            "currency": params.get("currency", "gbp"),
            "description": params.get("description"),
            "destination": destination,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "reversed": False,
            "transfer_group": params.get("transfer_group"),
        }
        self.state.add(transfer)
        return 200, transfer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client killed mid-request (as the tests do on purpose) is not an error here."""


@contextmanager
def stripe_server(accounts: set[str] | None = None) -> Iterator[tuple[str, StripeState]]:
    """Serve a fresh Stripe on 127.0.0.1: yields its address and its state."""
    state = StripeState(accounts=set(accounts or ()))
    handler = type("Handler", (_Handler,), {"state": state})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """Serve in a process of its own (the benchmarks: Stripe is never in our process), with the
    transfers in a JSON-lines file given as the first argument; prints the address, then serves
    until stopped."""
    state = StripeState()
    with open(sys.argv[1], encoding="utf-8") as lines:
        for line in lines:
            state.add(json.loads(line))
    handler = type("Handler", (_Handler,), {"state": state})
    server = _Server(("127.0.0.1", 0), handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
