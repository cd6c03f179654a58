"""The development claim system answers from its own tables, as DWP's would (real database)."""

from __future__ import annotations

import uuid
from datetime import date

from claims import Statement, StatementLine
from claims.development import DevelopmentClaims
from claims.models import DevClaim, DevClaimChild, DevClaimPeriod, DevClaimStatement


def test_facts_come_from_the_claim_and_a_period_overrides_them(db, session_factory) -> None:
    db.add(
        DevClaim(
            reference="UC-DEV-1",
            claim_start_date=date(2026, 1, 15),
            work_condition_met=True,
            earnings_pence=150_000,
            children=[
                DevClaimChild(first_name="Ada", last_name="L", date_of_birth=date(2023, 5, 4)),
                DevClaimChild(first_name="Not", last_name="Born", date_of_birth=date(2027, 1, 1)),
            ],
            periods=[
                DevClaimPeriod(
                    ap_start=date(2026, 10, 15), work_condition_met=False, childcare_element_pence=12_300
                )
            ],
        )
    )
    db.commit()
    claims = DevelopmentClaims(session_factory)
    september = claims.period("uc-dev-1", date(2026, 10, 1))
    assert september is not None and (september.ap_start, september.ap_end) == (
        date(2026, 9, 15),
        date(2026, 10, 14),
    )
    assert september.live and september.work_condition_met and september.childcare_element_pence is None
    assert [child.first_name for child in september.children] == ["Ada"]
    october = claims.period("UC-DEV-1", date(2026, 10, 20))
    assert (
        october is not None and not october.work_condition_met and october.childcare_element_pence == 12_300
    )
    assert october.earnings_pence == 150_000
    assert claims.period("UC-UNKNOWN", date(2026, 10, 20)) is None


def test_a_claim_ended_mid_period_is_not_live_for_that_period(db, session_factory) -> None:
    db.add(DevClaim(reference="UC-DEV-2", claim_start_date=date(2026, 1, 1), ended_on=date(2026, 10, 20)))
    db.commit()
    claims = DevelopmentClaims(session_factory)
    assert claims.period("UC-DEV-2", date(2026, 9, 5)).live  # type: ignore[union-attr]
    assert not claims.period("UC-DEV-2", date(2026, 10, 5)).live  # type: ignore[union-attr]
    assert not claims.period("UC-DEV-2", date(2026, 12, 5)).live  # type: ignore[union-attr]


def test_a_statement_sent_twice_is_received_once(db, session_factory) -> None:
    claims = DevelopmentClaims(session_factory)
    statement = Statement(
        statement_id=uuid.uuid4(),
        claim_reference="UC-DEV-3",
        ap_start=date(2026, 10, 1),
        ap_end=date(2026, 10, 31),
        version=1,
        total_pence=80_750,
        lines=(StatementLine(uuid.uuid4(), "Acorns", uuid.uuid4(), "INV-1", 80_750),),
    )
    assert claims.send_statement(statement) == claims.send_statement(statement)
    received = [row.body for row in db.query(DevClaimStatement)]
    db.rollback()  # an open read would block the app fixture's TRUNCATE on PostgreSQL (a hang)
    assert len(received) == 1 and received[0]["lines"][0]["paid_pence"] == 80_750
