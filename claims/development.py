"""The development claim system: this service's own tables (``claims.models``) stand in for DWP's.

It answers as DWP's would: the AP from the claim's start date, live unless the claim ended on or
before the AP's last day, the claim's facts unless a period row overrides one AP, the children
born by the AP's end. It reads and writes in its own session, as a separate system would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claims import ClaimChild, PeriodFacts, Statement, statement_body
from claims.models import DevClaim, DevClaimPeriod, DevClaimStatement
from claims.periods import assessment_period


class DevelopmentClaims:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = session_factory

    def period(self, claim_reference: str, on: date) -> PeriodFacts | None:
        with self._sessions() as session:
            claim = session.scalars(
                select(DevClaim).where(DevClaim.reference == claim_reference.strip().upper())
            ).first()
            if claim is None:
                return None
            start, end = assessment_period(claim.claim_start_date, on)
            override = session.scalars(
                select(DevClaimPeriod).where(
                    DevClaimPeriod.reference == claim.reference, DevClaimPeriod.ap_start == start
                )
            ).first()
            return facts_of(claim, override, start, end)

    def send_statement(self, statement: Statement) -> str:
        with self._sessions() as session, session.begin():
            if session.get(DevClaimStatement, statement.statement_id) is None:
                session.add(
                    DevClaimStatement(
                        statement_id=statement.statement_id,
                        reference=statement.claim_reference,
                        ap_start=statement.ap_start,
                        version=statement.version,
                        total_pence=statement.total_pence,
                        body=statement_body(statement),
                    )
                )
        return f"dev-{statement.statement_id}"


def facts_of(claim: DevClaim, override: DevClaimPeriod | None, start: date, end: date) -> PeriodFacts:
    def chosen(name: str) -> Any:
        value = getattr(override, name, None) if override is not None else None
        return getattr(claim, name) if value is None else value

    return PeriodFacts(
        claim_reference=claim.reference,
        ap_start=start,
        ap_end=end,
        live=claim.claim_start_date <= start and (claim.ended_on is None or claim.ended_on > end),
        ended_on=claim.ended_on,
        joint=claim.joint,
        work_condition_met=bool(chosen("work_condition_met")),
        children=tuple(
            ClaimChild(child.first_name, child.last_name, child.date_of_birth, child.childcare_costs)
            for child in claim.children
            if child.date_of_birth <= end
        ),
        earnings_pence=int(chosen("earnings_pence")),
        childcare_element_pence=chosen("childcare_element_pence"),
    )
