"""The development claim system's page, over HTTP: a developer adds a claim and sets its facts, one
period's facts and its children, and the claim system answers with them; bad input changes
nothing; the page exists only with the development claim system."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from sqlalchemy import func, select

from claims.development import DevelopmentClaims
from claims.models import DevClaim, DevClaimChild, DevClaimPeriod
from claims.periods import assessment_period
from config.audit import AuditEvent
from config.formatting import london_date
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
    huge = user.submit(page, "Save the claim’s facts", earnings="99999999.99")
    assert huge.status_code == 400 and "Earnings must be £1,000,000 or less" in huge.text  # 32-bit columns
    money = user.submit(page, "Save the claim’s facts", earnings="12.345", childcare_element="lots")
    assert money.status_code == 400
    assert "Earnings must not have more than 2 decimal places" in money.text
    assert "Childcare costs element must be a number, like 12.50" in money.text
    assert "Amount must" not in money.text  # each message names its field
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
    period_money = user.submit(
        page,
        "Save the period’s facts",
        **{"period-earnings": "ten", "period-childcare_element": "1.234"},
    )
    assert period_money.status_code == 400 and "Amount must" not in period_money.text
    assert "Earnings in this period must be a number, like 12.50" in period_money.text
    assert "Childcare costs element in this period must not have more than 2 decimal places" in (
        period_money.text
    )
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


def _today_list(text: str) -> str:
    """The page's "What DWP's claim system says today" list."""
    return text.split("What DWP’s claim system says today", 1)[1].split("The claim’s facts", 1)[0]


def test_today_shows_the_periods_own_facts_and_the_list_says_which_period(
    live_server: LiveServer, db
) -> None:
    user = User(live_server.url)
    page = _add(user)
    claim = db.scalars(select(DevClaim)).one()
    start, end = assessment_period(claim.claim_start_date, date.today())
    saved = user.submit(
        page,
        "Save the period’s facts",
        **{"period-ap_start": start.isoformat(), "period-childcare_element": "900"},
        **{"period-work_condition_met": "no"},
    )
    today = _today_list(saved.text)
    assert "£900.00" in today and "Not calculated yet" not in today
    assert "Not met" in today
    period = f"{london_date(start)} to {london_date(end)}: work condition not met; childcare element £900.00"
    assert period in saved.text
    assert "From " not in saved.text  # the period's own facts, not "from then on"


def test_a_child_born_in_the_future_is_refused_and_a_child_can_be_removed(
    live_server: LiveServer, db, session_factory
) -> None:
    user = User(live_server.url)
    page = _add(user)
    tomorrow = date.today() + timedelta(days=1)
    future = user.submit(
        page,
        "Add child",
        first_name="Tom",
        last_name="Khan",
        date_of_birth=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
        childcare_costs="yes",
    )
    assert future.status_code == 400 and "Date of birth must be today or in the past" in future.text
    assert db.scalar(select(func.count()).select_from(DevClaimChild)) == 0
    today = date.today()
    added = user.submit(
        page,
        "Add child",
        first_name="Zara",
        last_name="Khan",
        date_of_birth=[str(today.day), str(today.month), str(today.year)],
        childcare_costs="yes",
    )
    assert "Child added to the claim" in added.text
    assert _facts(session_factory, "UC00DEV1", today).children_with_costs == 1

    removed = user.submit(added, "Remove Zara Khan from the claim")
    assert removed.status_code == 200 and "Child removed from the claim" in removed.text
    assert "No children on this claim." in removed.text
    assert _facts(session_factory, "UC00DEV1", today).children == ()
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "dev_claim.child_removed")).one()
    assert event.entity_type == "dev_claims" and event.data["childcare_costs"] is True


def test_a_future_end_date_says_ends_on_and_a_past_one_ended_on(live_server: LiveServer, db) -> None:
    user = User(live_server.url)
    page = _add(user)
    later = user.submit(page, "Save the claim’s facts", ended_on=["1", "1", "2031"])
    assert "Live (ends on 1 January 2031)" in _today_list(later.text)
    assert "ended 1 January 2031" not in user.get("/dev/claims").text
    assert "ends 1 January 2031" in user.get("/dev/claims").text
    ended = user.submit(later, "Save the claim’s facts", ended_on=["20", "6", "2026"])
    assert "Not live (ended on 20 June 2026)" in _today_list(ended.text)
    assert "ended 20 June 2026" in user.get("/dev/claims").text


def test_the_claims_list_says_joint_claim_once_and_scrolls_in_its_own_region(
    live_server: LiveServer, db
) -> None:
    user = User(live_server.url)
    page = _add(user)
    user.submit(
        page,
        "Save the claim’s facts",
        situation="Joint claim, both partners working",
        joint="yes",
        ended_on=["", "", ""],
    )
    other = _add(user, reference="UC00DEV2")
    user.submit(other, "Save the claim’s facts", situation="Working", joint="yes", ended_on=["", "", ""])
    listing = user.get("/dev/claims")
    assert "Joint claim, both partners working</td>" in listing.text
    assert "(joint claim)" in listing.text.split("UC00DEV2", 2)[2].split("</tr>")[0]
    assert listing.text.count("(joint claim)") == 1
    assert '<div class="app-table-scroll" role="region" aria-label="Claims" tabindex="0">' in listing.text
