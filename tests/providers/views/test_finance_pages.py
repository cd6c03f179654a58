"""DWP staff's provider pages over HTTP: verifying providers, releasing new bank details."""

from __future__ import annotations

from config.auth import StaffRole
from providers.models import Provider, ProviderStatus
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_provider, create_staff, give_password
from tests.http import forms, sign_in_provider, sign_in_staff


def staff(live_server: LiveServer, db, role: StaffRole, name: str):
    create_staff(db, role, name=name)
    user, _ = sign_in_staff(live_server.url, name)
    return user


def test_providers_are_verified_and_new_bank_details_released_by_dwp(live_server: LiveServer, db) -> None:
    pending, _ = create_provider(db, verified=False, name="Tiny Tots")
    active, admin = create_provider(db, name="Big Steps")
    secret = give_password(db, admin, second_factor=True)
    nursery, _ = sign_in_provider(live_server.url, active.users[0].email, PASSWORD, secret)
    form = nursery.get("/provider/bank-details")
    assert "account ending 4958" in form.text
    wrong = nursery.submit(
        form, "Change bank details", account_name="Big Steps", sort_code="089999", account_number="66374959"
    )
    assert wrong.status_code == 400 and "do not match a real bank account" in wrong.text
    changed = nursery.submit(
        form, "Change bank details", account_name="Big Steps", sort_code="107999", account_number="88837491"
    )
    assert "DWP holds payments to you until it has checked them" in changed.text
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")
    listing = case.get("/finance/providers")
    assert "Tiny Tots" in listing.text and "Big Steps" in listing.text
    page = case.get(f"/finance/providers/{pending.id}")
    checked = case.submit(page, "Record the checks")
    assert "someone else must now verify Tiny Tots" in checked.text
    assert "Verify provider" not in checked.text  # not by whoever checked it
    officer = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")
    verified = officer.submit(officer.get(f"/finance/providers/{pending.id}"), "Verify provider")
    assert "Tiny Tots is verified" in verified.text
    db.expire_all()
    assert db.get_one(Provider, pending.id).status is ProviderStatus.ACTIVE

    offered = case.get(f"/finance/providers/{active.id}")
    assert "Release new payment details" not in offered.text  # a caseworker may not release
    any_form = case.get("/provider/sign-in")  # the session's CSRF token, from any page with a form
    token = next(f.fields["csrf_token"] for f in forms(any_form) if "csrf_token" in f.fields)
    held = db.get_one(Provider, active.id).current_payee.id
    asked = {"csrf_token": token, "action": "release", "payee_id": str(held)}
    refused = case.http.post(offered.url, data=asked, timeout=30)
    assert "Only a DWP finance officer or approver can do this" in refused.text
    released = officer.submit(officer.get(f"/finance/providers/{active.id}"), "Release new payment details")
    assert "The new payment details are released" in released.text
    bad = officer.submit(
        officer.get(f"/finance/providers/{active.id}"),
        "Record bank details",
        sort_code="１０７９９９",
        account_number="88837491",
        account_name="Big Steps",
        reason="Nursery rang",
    )
    assert "The bank details are not valid: Enter a valid sort code like 309430" in bad.text  # which field
