"""DWP's claim system over HTTP; the contract is ``claims/openapi.yaml``.

Facts decide what public money goes to nurseries, so an answer is used only when it is exactly what
the contract describes (checked against the document's own schemas, then read strictly). Anything
else (no answer in time, 5xx after a few attempts, a refused token, a body that is not the
contract's) raises ``ClaimSystemUnavailable``, never a guess. A 404 means "unknown claim" only when
it is the contract's unknown-claim problem: a 404 from a proxy or a wrong address is not an answer.

Both calls are retried with backoff on connection errors, timeouts and 502/503/504: the GET is
safe to repeat, and the POST is idempotent by the statement's id.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import date
from typing import Any
from urllib.parse import quote

import requests

from claims import (
    ClaimChild,
    ClaimSystemUnavailable,
    PeriodFacts,
    Statement,
    StatementConflict,
    contract,
    statement_body,
)

log = logging.getLogger("ccd.claims")

RETRY_STATUSES = frozenset({502, 503, 504})
RETRY_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class HttpClaims:
    """A client of DWP's claim system at ``base_url``, calling with the bearer ``token``.

    ``timeout`` is (connect, read) seconds for each attempt; ``attempts`` how many tries a call
    gets; ``backoff`` the first pause between tries in seconds, doubled after each.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (3.05, 10.0),
        attempts: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout, self.attempts, self.backoff = timeout, max(1, attempts), backoff
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json, application/problem+json"}
        )

    def __repr__(self) -> str:  # never the token
        return f"HttpClaims({self.base_url!r})"

    def period(self, claim_reference: str, on: date) -> PeriodFacts | None:
        reference = claim_reference.strip()
        path = f"/claims/{quote(reference, safe='')}/assessment-periods"
        response = self._call("GET", path, params={"on": on.isoformat()})
        if response.status_code == 404 and _is_unknown_claim(response):
            return None
        _expect(response, {200})
        facts = _facts(_json(response, "PeriodFacts"))
        if facts.claim_reference.casefold() != reference.casefold():
            raise ClaimSystemUnavailable(f"GET {path}: the facts are for another claim")
        if not facts.ap_start <= on <= facts.ap_end:
            raise ClaimSystemUnavailable(f"GET {path}: the assessment period does not contain {on}")
        return facts

    def send_statement(self, statement: Statement) -> str:
        response = self._call("POST", "/statements", json=statement_body(statement))
        if response.status_code == 409:
            raise StatementConflict(f"statement {statement.statement_id}: a different one has this id")
        _expect(response, {200, 201})
        receipt = _json(response, "Receipt")
        if uuid.UUID(receipt["statement_id"]) != statement.statement_id:
            raise ClaimSystemUnavailable("POST /statements: the receipt is for another statement")
        return str(receipt["receipt"])

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One call, tried up to ``attempts`` times while the failure is one a retry may cure."""
        for attempt in range(1, self.attempts + 1):
            try:
                response = self._session.request(
                    method, self.base_url + path, timeout=self.timeout, allow_redirects=False, **kwargs
                )
            except RETRY_ERRORS as error:
                failure = type(error).__name__
            except requests.RequestException as error:
                raise ClaimSystemUnavailable(f"{method} {path}: {type(error).__name__}") from error
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                failure = f"HTTP {response.status_code}"
            if attempt < self.attempts:
                pause = self.backoff * 2 ** (attempt - 1)
                log.warning("claim system: %s %s: %s; trying again in %.2fs", method, path, failure, pause)
                time.sleep(pause)
        raise ClaimSystemUnavailable(f"{method} {path}: {failure} after {self.attempts} attempts")


def _expect(response: requests.Response, statuses: set[int]) -> None:
    if response.status_code in statuses:
        return
    request = response.request
    where = f"{request.method} {request.path_url.split('?')[0]}"
    if response.status_code in (401, 403):
        raise ClaimSystemUnavailable(f"{where}: the claim system refused our token ({response.status_code})")
    raise ClaimSystemUnavailable(f"{where}: HTTP {response.status_code}, which the contract does not allow")


def _is_unknown_claim(response: requests.Response) -> bool:
    if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/problem+json":
        return False
    try:
        return not contract.problems("UnknownClaim", response.json())
    except ValueError:
        return False


def _json(response: requests.Response, schema: str) -> dict[str, Any]:
    """The body as the contract's ``schema``, or ``ClaimSystemUnavailable``."""
    where = f"{response.request.method} {(response.request.path_url or '').split('?')[0]}"
    if response.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
        raise ClaimSystemUnavailable(f"{where}: the answer is not JSON")
    try:
        body = response.json()
    except ValueError as error:
        raise ClaimSystemUnavailable(f"{where}: the answer is not valid JSON") from error
    wrong = contract.problems(schema, body)
    if wrong:
        raise ClaimSystemUnavailable(f"{where}: the answer is not a {schema}: {'; '.join(wrong[:5])}")
    return body


def _facts(body: dict[str, Any]) -> PeriodFacts:
    """``PeriodFacts`` from a body the schema has passed, read strictly (a pence of 1.0 is not int)."""
    try:
        return PeriodFacts(
            claim_reference=body["claim_reference"],
            ap_start=date.fromisoformat(body["ap_start"]),
            ap_end=date.fromisoformat(body["ap_end"]),
            live=body["live"],
            ended_on=None if body["ended_on"] is None else date.fromisoformat(body["ended_on"]),
            joint=body["joint"],
            work_condition_met=body["work_condition_met"],
            children=tuple(
                ClaimChild(
                    first_name=child["first_name"],
                    last_name=child["last_name"],
                    date_of_birth=date.fromisoformat(child["date_of_birth"]),
                    childcare_costs=child["childcare_costs"],
                )
                for child in body["children"]
            ),
            earnings_pence=_pence(body["earnings_pence"]),
            childcare_element_pence=(
                None if body["childcare_element_pence"] is None else _pence(body["childcare_element_pence"])
            ),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ClaimSystemUnavailable(f"the facts cannot be read: {error}") from error


def _pence(value: object) -> int:
    if type(value) is not int:
        raise ValueError(f"{value!r} is not integer pence")
    return value
