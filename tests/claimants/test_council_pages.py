"""The council pages over HTTP: the parent's choice, the provider's authority, DWP's export."""

from __future__ import annotations

from sqlalchemy import select

from claimants.models import CouncilSharing
from config.audit import AuditEvent
from config.auth import StaffRole
from config.formatting import london_date
from providers.models import Provider, Regulator
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    World,
    create_child,
    create_consent,
    create_parent,
    create_provider,
    create_staff,
    give_password,
)
from tests.http import User, page_csrf, sign_in_parent, sign_in_provider, sign_in_staff
from tests.http import forms as forms_on

LEEDS = "E08000035"


def test_a_parent_agrees_and_withdraws_on_their_own_page(live_server: LiveServer, db) -> None:
    world = World(db)
    parent, home = sign_in_parent(live_server.url, world.parent.label)
    assert "/account/council-sharing" in home.text  # in the parent's navigation
    page = parent.get("/account/council-sharing")
    assert "You have not agreed to share." in page.text
    assert "Who DWP would share it with" in page.text and "If you change your mind" in page.text
    unanswered = parent.submit(page, "Save")
    assert unanswered.status_code == 400
    assert "Select yes if you agree to share your children’s details" in unanswered.text
    agreed = parent.submit(page, "Save", share="yes")
    assert "We will share your children’s details with your council" in agreed.text
    assert "You agreed to share on" in agreed.text
    again = parent.submit(agreed, "Save", share="yes")
    assert "Nothing has changed" in again.text
    withdrawn = parent.submit(again, "Save", share="no")
    assert "We will not share your children’s details with your council" in withdrawn.text
    db.expire_all()
    rows = db.scalars(select(CouncilSharing).where(CouncilSharing.parent_id == world.parent.parent_id)).all()
    assert len(rows) == 1 and rows[0].withdrawn_at is not None


def _checked(page) -> str | None:
    """The council sharing question's chosen answer, as the page shows it."""
    return forms_on(page)[-1].fields.get("share")


def test_the_page_says_when_the_parent_stopped_and_shows_their_current_choice(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    parent, _home = sign_in_parent(live_server.url, world.parent.label)
    page = parent.get("/account/council-sharing")
    assert _checked(page) is None  # no choice made yet: nothing chosen for them
    assert "What DWP would share" in page.text and "Who DWP would share it with" in page.text
    assert "Only councils in England get these details." in page.text

    agreed = parent.submit(page, "Save", share="yes")
    assert _checked(agreed) == "yes"
    assert "What DWP shares" in agreed.text and "What DWP would share" not in agreed.text
    assert "Who DWP shares it with" in agreed.text and "DWP does not share your National" in agreed.text

    withdrawn = parent.submit(agreed, "Save", share="no")
    db.expire_all()
    stopped = db.scalars(
        select(CouncilSharing).where(CouncilSharing.parent_id == world.parent.parent_id)
    ).one()
    assert f"You stopped sharing on {london_date(stopped.withdrawn_at)}." in withdrawn.text
    assert "You have not agreed to share." not in withdrawn.text
    assert _checked(withdrawn) == "no"
    assert "What DWP would share" in withdrawn.text

    welsh = parent.get("/account/council-sharing?lang=cy")
    assert f"Gwnaethoch roi’r gorau i rannu ar {london_date(stopped.withdrawn_at, 'cy')}." in welsh.text


def test_dwp_records_the_authority_and_a_finance_officer_downloads_the_export(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    create_staff(db, StaffRole.CASEWORKER, name="Cara Caseworker")
    case, _ = sign_in_staff(live_server.url, "Cara Caseworker")
    page = case.get(f"/finance/providers/{world.provider.id}")
    assert "Not recorded" in page.text
    recorded = case.submit(page, "Record local authority", local_authority=LEEDS)
    assert "Local authority recorded for" in recorded.text and "Leeds" in recorded.text
    db.expire_all()
    assert db.get_one(Provider, world.provider.id).local_authority_code == LEEDS
    assert case.get("/finance/councils").status_code == 403  # a caseworker does not export

    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    parent.submit(parent.get("/account/council-sharing"), "Save", share="yes")
    create_staff(db, StaffRole.FINANCE_OFFICER, name="Femi Finance")
    officer, _ = sign_in_staff(live_server.url, "Femi Finance")
    assert "/finance/councils" in officer.get("/finance/home").text
    councils = officer.get("/finance/councils")
    assert councils.status_code == 200 and "Leeds" in councils.text
    listing = officer.submit(councils, "Download list for Leeds")
    assert listing.headers["Content-Type"].startswith("text/csv")
    assert world.child.first_name in listing.text and "child_first_name" in listing.text
    counts = officer.submit(councils, "Download counts for every authority (CSV)")
    assert f"{LEEDS},Leeds,1," in counts.text and world.child.first_name not in counts.text
    db.expire_all()
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff.council_export_downloaded")
    ).all()
    assert sorted((e.data["authority"], e.data["rows"]) for e in events) == [(LEEDS, 1), ("all", 1)]


def test_nobody_but_a_finance_officer_reaches_the_export(live_server: LiveServer, db) -> None:
    world = World(db)
    url = live_server.url
    anonymous = User(url)
    assert "sign-in" in anonymous.get("/finance/councils", allow_redirects=False).headers["Location"]
    parent, _ = sign_in_parent(url, world.parent.label)
    secret = give_password(db, world.provider_user, second_factor=True)
    nursery, _ = sign_in_provider(url, world.provider.users[0].email, PASSWORD, secret)
    for person in (parent, nursery):
        answer = person.get("/finance/councils", allow_redirects=False)
        assert answer.status_code in (302, 303, 401, 403) and "Leeds" not in answer.text
        assert person.http.post(
            f"{url}/finance/councils/counts", allow_redirects=False, timeout=30
        ).status_code in (
            302,
            303,
            400,
            401,
            403,
        )
    for role in (StaffRole.CASEWORKER, StaffRole.APPROVER, StaffRole.AUDITOR):
        create_staff(db, role, name=f"Only {role.value}")
        staff, _ = sign_in_staff(url, f"Only {role.value}")
        assert staff.get("/finance/councils").status_code == 403
    assert (
        db.scalars(select(AuditEvent).where(AuditEvent.action == "staff.council_export_downloaded")).all()
        == []
    )


def test_the_councils_page_says_who_is_left_out_and_links_to_where_an_authority_is_recorded(
    live_server: LiveServer, db
) -> None:
    world = World(db)  # a nursery in England with no authority recorded yet
    wales, wales_user = create_provider(db, name="Cardiff Cubs", regulator=Regulator.CARE_INSPECTORATE_WALES)
    welsh = create_parent(db)
    create_consent(db, wales_user, welsh, create_child(db, welsh, first_name="Dai"))
    create_consent(db, wales_user, world.parent, world.child)  # at a nursery in England too
    create_staff(db, StaffRole.FINANCE_OFFICER, name="Femi Finance")
    officer, _ = sign_in_staff(live_server.url, "Femi Finance")
    councils = officer.get("/finance/councils")
    assert "Settings in Wales and Scotland are outside it (their schemes differ)" in councils.text
    assert "Registered with Care Inspectorate Wales: 1 setting, 2 children" in councils.text
    assert "Cardiff Cubs" not in councils.text
    assert '<a class="govuk-link" href="#not-recorded">Record the providers’ local authority' in councils.text
    provider_page = f'href="/finance/providers/{world.provider.id}#local-authority">{world.provider.name}</a>'
    assert provider_page in councils.text
    assert f"/finance/providers/{wales.id}" not in councils.text
    page = officer.get(f"/finance/providers/{world.provider.id}")
    assert 'id="local-authority"' in page.text and "Record local authority" in page.text


def test_recording_no_local_authority_is_a_govuk_error_on_the_field(live_server: LiveServer, db) -> None:
    world = World(db)
    create_staff(db, StaffRole.CASEWORKER, name="Cara Caseworker")
    case, _ = sign_in_staff(live_server.url, "Cara Caseworker")
    page = case.get(f"/finance/providers/{world.provider.id}")
    refused = case.submit(page, "Record local authority", local_authority="")
    assert refused.status_code == 400
    assert "<title>Error: " in refused.text
    assert 'class="govuk-error-summary"' in refused.text
    assert '<a href="#local_authority">Select the local authority from the list</a>' in refused.text
    assert 'id="local_authority-error"' in refused.text and "govuk-select--error" in refused.text
    assert "The local authority is not valid" not in refused.text  # no "Important" banner
    assert "Important" not in refused.text
    chosen = case.submit(refused, "Record local authority", local_authority=LEEDS)
    assert chosen.status_code == 200 and "Local authority recorded for" in chosen.text


def test_a_setting_outside_england_has_no_local_authority_to_record(live_server: LiveServer, db) -> None:
    wales, _user = create_provider(db, name="Cardiff Cubs", regulator=Regulator.CARE_INSPECTORATE_WALES)
    create_staff(db, StaffRole.CASEWORKER, name="Cara Caseworker")
    case, _ = sign_in_staff(live_server.url, "Cara Caseworker")
    page = case.get(f"/finance/providers/{wales.id}")
    assert "Record local authority" not in page.text
    assert "No local authority is recorded for a setting registered with Care Inspectorate Wales" in page.text
    assert "Not recorded: outside England’s early years schemes" in page.text
    forced = case.http.post(
        page.url,
        data={
            "csrf_token": page_csrf(case.get("/provider/sign-in")),
            "action": "local_authority",
            "local_authority": LEEDS,
        },
        timeout=30,
    )
    assert forced.status_code == 400 and "registered with Ofsted" in forced.text
    db.expire_all()
    assert db.get_one(Provider, wales.id).local_authority_code is None
