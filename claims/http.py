"""DWP's claim system over HTTP (contract: ``claims/openapi.yaml``). Being written: see issue 17."""

from __future__ import annotations

from datetime import date

from claims import PeriodFacts, Statement


class HttpClaims:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url.rstrip("/"), token

    def period(self, claim_reference: str, on: date) -> PeriodFacts | None:
        raise NotImplementedError("the HTTP claim client is not written yet")

    def send_statement(self, statement: Statement) -> str:
        raise NotImplementedError("the HTTP claim client is not written yet")
