"""A stand-in for DWP's claim system: the contract (``claims/openapi.yaml``) from in-memory data.

A test sets the facts (``add``), serves it on 127.0.0.1 (``served``), points ``HttpClaims`` at it and
reads what arrived (``statements``, ``seen``). It checks every request against the contract, so a
client drifting from the document fails, and it can be told to misbehave: answer 503 a number of
times, answer slowly, answer a body that is not JSON, or one that breaks the contract.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server

from claims import PeriodFacts, contract

TOKEN = "standin-token-0123456789"
UNKNOWN_CLAIM = "urn:dwp:uc-claims:unknown-claim"


class _Missing:
    """In ``changes``: leave the field out of the answer (its repr is fixed, so every pytest-xdist
    worker collects the same test ids)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


@dataclass
class StandIn:
    token: str = TOKEN
    periods: dict[str, list[PeriodFacts]] = field(default_factory=dict)  # by claim reference
    statements: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)  # id: body, receipt
    seen: list[dict[str, str]] = field(default_factory=list)  # each request: method, path, authorization
    # Misbehaviour, set by a test:
    unavailable_times: int = 0  # answer 503 to this many requests first
    slow_seconds: float = 0.0  # wait this long before answering
    malformed: bool = False  # answer 200 with a body that is not JSON
    changes: dict[str, Any] = field(default_factory=dict)  # fields of the facts to replace (or MISSING)

    def add(self, facts: PeriodFacts) -> None:
        self.periods.setdefault(facts.claim_reference.upper(), []).append(facts)


def app(standin: StandIn) -> Flask:
    web = Flask(__name__)

    @web.before_request
    def misbehave_and_check_the_token() -> Response | None:
        standin.seen.append(
            {
                "method": request.method,
                "path": request.path,
                "authorization": request.headers.get("Authorization", ""),
            }
        )
        if standin.slow_seconds:
            time.sleep(standin.slow_seconds)
        if standin.unavailable_times > 0:
            standin.unavailable_times -= 1
            return problem(503, "Service Unavailable", "The claim system is busy.")
        if request.headers.get("Authorization") != f"Bearer {standin.token}":
            answer = problem(401, "Unauthorized", "A bearer token is needed.")
            answer.headers["WWW-Authenticate"] = "Bearer"
            return answer
        return None

    @web.get("/claims/<claim_reference>/assessment-periods")
    def assessment_period(claim_reference: str) -> Response:
        wrong = contract.problems("Day", request.args.get("on", ""))
        if wrong or len(claim_reference) > 40 or set(request.args) != {"on"}:
            return problem(400, "Bad Request", f"on: {'; '.join(wrong) or 'one parameter, on'}")
        on = date.fromisoformat(request.args["on"])
        periods = standin.periods.get(claim_reference.upper())
        chosen = next((each for each in periods or () if each.ap_start <= on <= each.ap_end), None)
        if chosen is None:  # (for the tests, an AP it was not given is as unknown as the claim)
            return problem(404, "Unknown claim", f"No claim {claim_reference} on {on}.", UNKNOWN_CLAIM)
        if standin.malformed:
            return Response('{"claim_reference": "UC-', 200, content_type="application/json")
        body = facts_json(chosen)
        for name, value in standin.changes.items():
            if value is MISSING:
                body.pop(name, None)
            else:
                body[name] = value
        return Response(json.dumps(body), 200, content_type="application/json")

    @web.post("/statements")
    def receive_statement() -> Response:
        body = request.get_json(silent=True)
        wrong = ["the body is not JSON"] if body is None else contract.problems("Statement", body)
        if wrong:
            return problem(400, "Bad Request", "; ".join(wrong))
        known = standin.statements.get(body["statement_id"])
        if known is not None and known[0] != body:
            return problem(
                409, "Conflict", f"Statement {body['statement_id']} was received with a different body."
            )
        status = 200 if known is not None else 201
        if known is None:
            known = standin.statements[body["statement_id"]] = (
                body,
                f"UC-RCPT-{len(standin.statements) + 1:06d}",
            )
        receipt = {"receipt": known[1], "statement_id": body["statement_id"]}
        return Response(json.dumps(receipt), status, content_type="application/json")

    @web.errorhandler(404)
    @web.errorhandler(405)
    def not_in_the_contract(error: Any) -> Response:
        answer = problem(error.code, error.name, "Not in the contract.")
        if getattr(error, "valid_methods", None):
            answer.headers["Allow"] = ", ".join(error.valid_methods)
        return answer

    return web


def facts_json(facts: PeriodFacts) -> dict[str, Any]:
    """``facts`` as the contract's ``PeriodFacts`` JSON, field by field as DWP would build it (the
    tests check the dataclass and the contract name the same fields)."""
    return {
        "claim_reference": facts.claim_reference,
        "ap_start": facts.ap_start.isoformat(),
        "ap_end": facts.ap_end.isoformat(),
        "live": facts.live,
        "ended_on": None if facts.ended_on is None else facts.ended_on.isoformat(),
        "joint": facts.joint,
        "work_condition_met": facts.work_condition_met,
        "children": [
            {
                "first_name": child.first_name,
                "last_name": child.last_name,
                "date_of_birth": child.date_of_birth.isoformat(),
                "childcare_costs": child.childcare_costs,
            }
            for child in facts.children
        ],
        "earnings_pence": facts.earnings_pence,
        "childcare_element_pence": facts.childcare_element_pence,
    }


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Response:
    body = {"type": kind, "title": title, "status": status, "detail": detail}
    return Response(json.dumps(body), status, content_type="application/problem+json")


@contextmanager
def served(standin: StandIn) -> Iterator[str]:
    """Serve ``standin`` on a free port of 127.0.0.1 in a background thread; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app(standin), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
