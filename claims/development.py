"""The development claim system: this service's own tables (``claims.models``) stand in for DWP's.

It answers as DWP's would: the AP from the claim's start date, live unless the claim ended on or
before the AP's last day, the claim's facts unless a period row overrides one AP, the children
born by the AP's end. It reads and writes in its own session, as a separate system would.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claims import ClaimChild, PeriodFacts, Statement, statement_body
from claims.models import DevClaim, DevClaimChild, DevClaimPeriod, DevClaimStatement
from claims.periods import assessment_period
from config import audit
from config.auth import SYSTEM
from config.database import transaction, utcnow
from config.errors import FieldError, NotFound, ValidationFailed
from config.formatting import LONDON


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


def facts_on(claim: DevClaim, on: date) -> PeriodFacts:
    """What the claim system answers for the AP that ``on`` is in: the claim's facts, with that
    period's own where it has them (as ``DevelopmentClaims.period``, from a claim already read)."""
    start, end = assessment_period(claim.claim_start_date, on)
    override = next((row for row in claim.periods if row.ap_start == start), None)
    return facts_of(claim, override, start, end)


# --- the development page's changes (``claims.views``): what a caseworker would change in DWP's
# claim system. They are the stand-in's own records, audited as a system change like any other.


@dataclass(frozen=True)
class ClaimChanges:
    situation: str
    joint: bool
    work_condition_met: bool
    earnings_pence: int
    childcare_element_pence: int | None  # None: the award is not calculated yet
    ended_on: date | None


def find_claim(session: Session, reference: str) -> DevClaim | None:
    return session.scalars(select(DevClaim).where(DevClaim.reference == reference.strip().upper())).first()


def add_claim(
    session: Session, *, reference: str, claim_start_date: date, joint: bool = False, situation: str = ""
) -> DevClaim:
    reference = reference.strip().upper()
    if not _REFERENCE.fullmatch(reference):
        raise ValidationFailed(
            "The claim is not valid",
            errors=[FieldError("reference", "Enter a claim reference of 4 to 40 letters and numbers")],
        )
    if find_claim(session, reference) is not None:
        raise ValidationFailed(
            "The claim is not valid",
            errors=[FieldError("reference", "A claim with this reference already exists")],
        )
    with transaction(session):
        claim = DevClaim(
            id=uuid.uuid4(),
            reference=reference,
            situation=situation.strip(),
            claim_start_date=claim_start_date,
            joint=joint,
        )
        session.add(claim)
        session.flush()
        audit.record(session, "dev_claim.added", claim, SYSTEM, {"reference": reference, "joint": joint})
    return claim


# The columns are 32-bit integers of pence; no household's month comes near this.
MOST_PENCE = 100_000_000


def change_claim(session: Session, reference: str, changes: ClaimChanges) -> DevClaim:
    claim = _claim(session, reference)
    errors = []
    if changes.earnings_pence < 0:
        errors.append(FieldError("earnings", "Earnings must be £0 or more"))
    if changes.childcare_element_pence is not None and changes.childcare_element_pence < 0:
        errors.append(FieldError("childcare_element", "The childcare element must be £0 or more"))
    if changes.earnings_pence > MOST_PENCE:
        errors.append(FieldError("earnings", "Earnings must be £1,000,000 or less"))
    if (changes.childcare_element_pence or 0) > MOST_PENCE:
        errors.append(FieldError("childcare_element", "The childcare element must be £1,000,000 or less"))
    if changes.ended_on is not None and changes.ended_on < claim.claim_start_date:
        errors.append(FieldError("ended_on", "The claim cannot end before it started"))
    if errors:
        raise ValidationFailed("The claim's facts are not valid", errors=errors)
    with transaction(session):
        before = _facts(claim)
        for name, value in dataclasses.asdict(changes).items():
            setattr(claim, name, value)
        audit.record(session, "dev_claim.changed", claim, SYSTEM, {"before": before, "after": _facts(claim)})
    return claim


def set_period(
    session: Session,
    reference: str,
    ap_start: date,
    *,
    work_condition_met: bool | None,
    earnings_pence: int | None,
    childcare_element_pence: int | None,
) -> DevClaimPeriod | None:
    """One AP's facts where they differ from the claim's; all ``None`` takes the override away."""
    claim = _claim(session, reference)
    if (
        assessment_period(claim.claim_start_date, ap_start)[0] != ap_start
        or ap_start < claim.claim_start_date
    ):
        raise ValidationFailed(
            "The period is not valid", errors=[FieldError("ap_start", "Select an assessment period")]
        )
    if any(value is not None and value < 0 for value in (earnings_pence, childcare_element_pence)):
        raise ValidationFailed(
            "The period is not valid", errors=[FieldError("earnings", "Amounts must be £0 or more")]
        )
    if any(value is not None and value > MOST_PENCE for value in (earnings_pence, childcare_element_pence)):
        raise ValidationFailed(
            "The period is not valid", errors=[FieldError("earnings", "Amounts must be £1,000,000 or less")]
        )
    row = session.scalars(
        select(DevClaimPeriod).where(
            DevClaimPeriod.reference == claim.reference, DevClaimPeriod.ap_start == ap_start
        )
    ).first()
    values = {
        "work_condition_met": work_condition_met,
        "earnings_pence": earnings_pence,
        "childcare_element_pence": childcare_element_pence,
    }
    with transaction(session):
        if row is None:
            row = DevClaimPeriod(id=uuid.uuid4(), reference=claim.reference, ap_start=ap_start)
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        audit.record(
            session, "dev_claim.period_set", claim, SYSTEM, {"ap_start": ap_start.isoformat(), **values}
        )
        if all(value is None for value in values.values()):
            session.delete(row)
            return None
    return row


def add_child(
    session: Session,
    reference: str,
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    childcare_costs: bool,
) -> DevClaimChild:
    claim = _claim(session, reference)
    if date_of_birth > utcnow().astimezone(LONDON).date():
        raise ValidationFailed(
            "The child is not valid",
            errors=[FieldError("date_of_birth", "Date of birth must be today or in the past")],
        )
    with transaction(session):
        child = DevClaimChild(
            id=uuid.uuid4(),
            reference=claim.reference,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            childcare_costs=childcare_costs,
        )
        session.add(child)
        session.flush()
        audit.record(session, "dev_claim.child_added", claim, SYSTEM, {"childcare_costs": childcare_costs})
    return child


def set_child_costs(
    session: Session, reference: str, child_id: uuid.UUID, childcare_costs: bool
) -> DevClaimChild:
    claim = _claim(session, reference)
    child = _child(session, claim, child_id)
    with transaction(session):
        child.childcare_costs = childcare_costs
        audit.record(
            session,
            "dev_claim.child_changed",
            claim,
            SYSTEM,
            {"child": str(child.id), "childcare_costs": childcare_costs},
        )
    return child


def remove_child(session: Session, reference: str, child_id: uuid.UUID) -> None:
    """Remove a child from the claim (added by mistake, or no longer in the household); audited."""
    claim = _claim(session, reference)
    child = _child(session, claim, child_id)
    with transaction(session):
        audit.record(
            session,
            "dev_claim.child_removed",
            claim,
            SYSTEM,
            {"child": str(child.id), "childcare_costs": child.childcare_costs},
        )
        session.delete(child)


_REFERENCE = re.compile(r"[A-Z0-9]{4,40}")


def _claim(session: Session, reference: str) -> DevClaim:
    claim = find_claim(session, reference)
    if claim is None:
        raise NotFound("No such claim in the development claim system")
    return claim


def _child(session: Session, claim: DevClaim, child_id: uuid.UUID) -> DevClaimChild:
    child = session.get(DevClaimChild, child_id)
    if child is None or child.reference != claim.reference:
        raise NotFound("No such child on this claim")
    return child


def _facts(claim: DevClaim) -> dict[str, Any]:
    return {
        "joint": claim.joint,
        "work_condition_met": claim.work_condition_met,
        "earnings_pence": claim.earnings_pence,
        "childcare_element_pence": claim.childcare_element_pence,
        "ended_on": claim.ended_on.isoformat() if claim.ended_on else None,
    }
