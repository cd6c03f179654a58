"""The parent's first steps, as a person does them over HTTP: link the claim, add children."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from claimants.models import Child, Parent
from tests.conftest import LiveServer
from tests.factories import create_parent
from tests.http import User, sign_in_parent


def test_a_new_parent_links_their_claim_after_fixing_what_was_wrong(live_server: LiveServer, db) -> None:
    user = User(live_server.url)
    home = user.submit(user.get("/account/sign-in"), "Sign in", name="Nia Evans", email="nia@example.com")
    form = user.get("/account/claim")
    wrong = user.submit(form, "Continue", claim_reference="", nino="QQ 12 34 56 C", claim_start_date="31")
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.text and "Error:" in wrong.text
    # Every field's problem at once, not one after another as each is put right.
    for message in (
        "Enter your Universal Credit claim reference",
        "Enter a National Insurance number in the correct format, like QQ 12 34 56 C",
        "The date your claim started must include a month",
    ):
        assert wrong.text.count(message) == 2, message  # in the summary and by its field
    future = user.submit(
        wrong,
        "Continue",
        claim_reference="UC1234",
        nino="QQ 12 34 56 C",
        claim_start_date=["31", "1", "2099"],
    )
    assert future.status_code == 400 and "National Insurance number in the correct format" in future.text
    assert "The date your claim started must be today or in the past" in future.text
    assert db.scalars(select(Parent.claim_start_date)).one() is None  # nothing saved while wrong
    done = user.submit(
        future,
        "Continue",
        claim_reference="UC1234",
        nino="JK 12 34 56 C",
        claim_start_date=["31", "1", "2026"],
    )
    assert urlsplit(done.url).path == "/account/home"
    assert "Your Universal Credit claim is linked" in done.text
    parent = db.scalars(select(Parent)).one()
    assert (parent.claim_start_date.isoformat(), parent.nino_last) == ("2026-01-31", "456C")
    assert home.status_code == 200


def test_a_parent_adds_a_child(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user, _ = sign_in_parent(live_server.url, parent.label)
    page = user.get("/account/children/new")
    missing = user.submit(page, "Add child", first_name="Kit", last_name="")
    assert missing.status_code == 400
    for message in (
        "Enter the child’s last name",
        "Enter the child’s date of birth",
        "Select yes if the child is disabled",
    ):
        assert message in missing.text
    added = user.submit(
        missing,
        "Add child",
        first_name="Kit",
        last_name="Evans",
        date_of_birth=["4", "5", "2022"],
        disabled="no",
    )
    assert urlsplit(added.url).path == "/account/home" and "Kit has been added" in added.text
    child = db.scalars(select(Child)).one()
    assert (child.first_name, child.date_of_birth.isoformat(), child.disabled) == ("Kit", "2022-05-04", False)


def test_a_form_posted_without_its_csrf_token_is_refused(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user, _ = sign_in_parent(live_server.url, parent.label)
    refused = user.http.post(
        live_server.url + "/account/children/new",
        data={
            "first_name": "Kit",
            "last_name": "Evans",
            "date_of_birth": ["4", "5", "2022"],
            "disabled": "no",
        },
        timeout=30,
    )
    assert refused.status_code == 400
    assert db.scalars(select(Child)).first() is None
