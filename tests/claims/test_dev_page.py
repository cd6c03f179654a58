"""The development claim system's page, over HTTP: a developer adds a claim and sets its facts, one
period's facts and its children, and the claim system answers with them; bad input changes
nothing; the page exists only with the development claim system."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from sqlalchemy import func, select

from claims.development import DevelopmentClaims
from claims.models import DevClaim, DevClaimPeriod
from claims.periods import assessment_period
from config.audit import AuditEvent
from tests.conftest import LiveServer
from tests.http import User


def _facts(session_factory, reference: str, on: date):
    return DevelopmentClaims(session_factory).period(reference, on)


def _add(user: User, reference: str = "UC00DEV1", start: tuple[str, str, str] = ("15", "3", "2026")):
    page = user.get("/dev/claims")
    return user.submit(
        page,
        "Add claim",
        reference=reference,
        claim_start_date=[start[0], start[1], start[2]],
        joint="no",
    )


def test_a_claim_added_and_its_facts_set_are_what_the_claim_system_answers(
    live_server: LiveServer, db, session_factory
) -> None:
    user = User(live_server.url)
    added = _add(user, reference="uc00dev1")
    assert added.status_code == 200
    assert "Claim UC00DEV1 added" in added.text
    assert _facts(session_factory, "UC00DEV1", date(2026, 4, 20)).work_condition_met

    saved = user.submit(
        added,
        "Save the claim’s facts",
        situation="Award cut by earnings",
        joint="yes",
        work_condition_met="no",
        earnings="1,850.00",
        childcare_element="312.40",
        ended_on=["", "", ""],
    )
    assert "The facts of claim UC00DEV1 are saved" in saved.text
    facts = _facts(session_factory, "UC00DEV1", date(2026, 4, 20))
    assert (facts.joint, facts.work_condition_met) == (True, False)
    assert (facts.earnings_pence, facts.childcare_element_pence) == (185_000, 31_240)
    assert facts.live and (facts.ap_start, facts.ap_end) == (date(2026, 4, 15), date(2026, 5, 14))
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "dev_claim.changed")).one()
    assert event.data["before"]["work_condition_met"] is True
    assert event.data["after"]["childcare_element_pence"] == 31_240

    # Ended: not live in a period that goes past the end, live in the one before.
    ended = user.submit(
        saved,
        "Save the claim’s facts",
        ended_on=["20", "6", "2026"],
    )
    assert "The facts of claim UC00DEV1 are saved" in ended.text
    assert not _facts(session_factory, "UC00DEV1", date(2026, 6, 20)).live  # 15 June to 14 July
    assert _facts(session_factory, "UC00DEV1", date(2026, 6, 1)).live  # 15 May to 14 June


def test_one_periods_facts_override_the_claims_for_that_period_only(
    live_server: LiveServer, db, session_factory
) -> None:
    user = User(live_server.url)
    page = _add(user)
    claim = db.scalars(select(DevClaim)).one()
    today_start = assessment_period(claim.claim_start_date, date.today())[0]
    saved = user.submit(
        page,
        "Save the period’s facts",
        **{"period-ap_start": today_start.isoformat(), "period-work_condition_met": "no"},
        **{"period-childcare_element": "50"},
    )
    assert "The period’s facts are saved" in saved.text
    this = _facts(session_factory, "UC00DEV1", today_start)
    before = _facts(session_factory, "UC00DEV1", today_start - timedelta(days=1))
    assert (this.work_condition_met, this.childcare_element_pence) == (False, 5_000)
    assert (before.work_condition_met, before.childcare_element_pence) == (True, None)

    # Every box back to "as the claim says": the override is gone.
    cleared = user.submit(
        saved,
        "Save the period’s facts",
        **{"period-ap_start": today_start.isoformat(), "period-work_condition_met": ""},
        **{"period-childcare_element": "", "period-earnings": ""},
    )
    assert cleared.status_code == 200
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(DevClaimPeriod)) == 0
    assert _facts(session_factory, "UC00DEV1", today_start).childcare_element_pence is None


def test_children_added_count_for_the_maximum_only_with_childcare_costs(
    live_server: LiveServer, db, session_factory
) -> None:
    user = User(live_server.url)
    page = _add(user)
    for name, costs in (("Zara", "yes"), ("Omar", "no")):
        page = user.submit(
            page,
            "Add child",
            first_name=name,
            last_name="Khan",
            date_of_birth=["4", "5", "2022"],
            childcare_costs=costs,
        )
        assert "Child added to the claim" in page.text
    assert _facts(session_factory, "UC00DEV1", date(2026, 5, 1)).children_with_costs == 1
    toggled = user.submit(page, "Add costs for Omar")
    assert "The child’s childcare costs are saved" in toggled.text
    assert _facts(session_factory, "UC00DEV1", date(2026, 5, 1)).children_with_costs == 2


def test_bad_input_is_refused_in_words_and_changes_nothing(
    live_server: LiveServer, db, session_factory
) -> None:
    user = User(live_server.url)
    bad_reference = _add(user, reference="UC-1")
    assert bad_reference.status_code == 400
    assert "Enter a claim reference of 4 to 40 letters and numbers" in bad_reference.text
    page = _add(user)
    again = _add(user)
    assert again.status_code == 400 and "A claim with this reference already exists" in again.text

    facts_before = _facts(session_factory, "UC00DEV1", date(2026, 5, 1))
    money = user.submit(page, "Save the claim’s facts", earnings="12.345", childcare_element="lots")
    assert money.status_code == 400
    assert "Amount must not have more than 2 decimal places" in money.text
    assert "Amount must be a number, like 12.50" in money.text
    early = user.submit(
        page,
        "Save the claim’s facts",
        ended_on=["1", "1", "2026"],
    )
    assert early.status_code == 400 and "The claim cannot end before it started" in early.text
    period = user.submit(
        page, "Save the period’s facts", **{"period-ap_start": "2026-04-16", "period-earnings": "10"}
    )
    assert period.status_code == 400 and "Select one of the options" in period.text
    assert _facts(session_factory, "UC00DEV1", date(2026, 5, 1)) == facts_before
    assert db.scalar(select(func.count()).select_from(DevClaimPeriod)) == 0
    assert user.get("/dev/claims/UCNOSUCH").status_code == 404


def test_the_page_is_there_only_with_the_development_claim_system(test_settings) -> None:
    from config.app import create_app
    from config.extensions import database

    for system, present in (("development", True), ("http", False)):
        app = create_app(
            dataclasses.replace(
                test_settings,
                dev_identity_provider=True,
                claim_system=system,
                claim_system_url="http://127.0.0.1:9",
            )
        )
        assert ("dev_claims.claims" in app.view_functions) is present
        with app.app_context():
            database().engine.dispose()
    without_dev_pages = create_app(test_settings)
    assert "dev_claims.claims" not in without_dev_pages.view_functions
    with without_dev_pages.app_context():
        database().engine.dispose()
