"""A nursery registers through the GOV.UK question pages, as a person does it over HTTP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import func, select

from config.notify import Notification
from providers.models import Provider, ProviderStatus, ProviderUser
from providers.rules import passes_modulus_check
from tests.conftest import LiveServer
from tests.http import User


def path(response) -> str:
    return urlsplit(response.url).path


def test_a_nursery_registers_one_question_at_a_time_and_is_pending_until_verified(
    live_server: LiveServer, db
) -> None:
    user = User(live_server.url)
    start = user.get("/provider/register")
    assert "Start now" in start.text
    page = user.get("/provider/register/regulator")
    nothing = user.submit(page, "Continue")
    assert nothing.status_code == 400 and "Select who your setting is registered with" in nothing.text
    assert "Error:" in nothing.text  # the page title says so too
    page = user.submit(nothing, "Continue", regulator="ofsted")
    assert path(page) == "/provider/register/registration-number"
    wrong = user.submit(page, "Continue", registration_number="CS2003012345")
    assert wrong.status_code == 400 and "Enter an Ofsted URN in the correct format" in wrong.text
    page = user.submit(wrong, "Continue", registration_number="ey 123456")
    page = user.submit(page, "Continue", name="Little Acorns")
    bad_postcode = user.submit(page, "Continue", postcode="nowhere")
    assert "Enter a real postcode" in bad_postcode.text
    page = user.submit(bad_postcode, "Continue", postcode="ls1 4ap")
    page = user.submit(page, "Continue", region="Yorkshire and The Humber")
    assert path(page) == "/provider/register/bank-details"
    # 089999 66374959 is well formed but fails the Pay.UK modulus check; 66374958 passes.
    assert not passes_modulus_check("089999", "66374959")
    bad_bank = user.submit(
        page, "Continue", account_name="Little Acorns Ltd", sort_code="08-99-99", account_number="66374959"
    )
    assert bad_bank.status_code == 400 and "do not match a real bank account" in bad_bank.text
    page = user.submit(
        bad_bank,
        "Continue",
        account_name="Little Acorns Ltd",
        sort_code="08-99-99",
        account_number="66374958",
    )
    page = user.submit(page, "Continue", admin_name="Nadia Khan", admin_email="Nadia@Acorns.example")
    short = user.submit(page, "Continue", password="short")
    assert short.status_code == 400 and "Password must be 10 characters or more" in short.text
    check = user.submit(short, "Continue", password="three random words")
    assert path(check) == "/provider/register/check-answers"
    for shown in (
        "Ofsted",
        "EY123456",
        "Little Acorns",
        "LS1 4AP",
        "08 99 99",
        "66374958",
        "nadia@acorns.example",
    ):
        assert shown in check.text
    assert "three random words" not in check.text
    assert db.scalar(select(func.count()).select_from(Provider)) == 0  # nothing saved before Register

    # Change an answer from the check page: back to the check page afterwards.
    change = user.get("/provider/register/name")
    assert 'value="Little Acorns"' in change.text
    check = user.submit(change, "Continue", name="Little Acorns Nursery")
    assert path(check) == "/provider/register/check-answers" and "Little Acorns Nursery" in check.text

    done = user.submit(check, "Register")
    assert path(done) == "/provider/register/done" and "Registration complete" in done.text
    provider = db.scalars(select(Provider)).one()
    assert (provider.status, provider.name, provider.region) == (
        ProviderStatus.PENDING_VERIFICATION,
        "Little Acorns Nursery",
        "Yorkshire and The Humber",
    )
    admin = db.scalars(select(ProviderUser)).one()
    assert admin.password_hash.startswith("$argon2id$") and "three random words" not in admin.password_hash
    assert db.scalars(
        select(Notification.template).where(Notification.email == "nadia@acorns.example")
    ).all() == ["provider_registered"]

    # Signed in, but an admin must set up a security code before anything else.
    home = user.get("/provider/home")
    assert path(home) == "/provider/security-code/set-up"
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', home.text).group(1)
    wrong_code = user.submit(home, "Continue", code="000000")
    assert (
        wrong_code.status_code == 400
        and "Enter the security code shown in your authenticator app" in wrong_code.text
    )
    codes = user.submit(wrong_code, "Continue", code=pyotp.TOTP(secret).now())
    assert "Your recovery codes" in codes.text  # shown once, after the set-up
    home = user.get("/provider/home")
    assert path(home) == "/provider/home"
    assert "DWP is checking your registration" in home.text


def test_registration_pages_can_not_be_skipped(live_server: LiveServer) -> None:
    user = User(live_server.url)
    assert path(user.get("/provider/register/bank-details")) == "/provider/register/regulator"
    assert path(user.get("/provider/register/check-answers")) == "/provider/register/regulator"
    assert user.get("/provider/register/nonsense").status_code == 404


def test_a_second_registration_of_the_same_setting_is_refused_on_the_check_page(
    live_server: LiveServer, db
) -> None:
    def register(email: str):
        user = User(live_server.url)
        page = user.get("/provider/register/regulator")
        for values in (
            {"regulator": "care_inspectorate_scotland"},
            {"registration_number": "CS2003012345"},
            {"name": "Wee Ones"},
            {"postcode": "EH1 1AA"},
            {"region": "Scotland"},
            {"account_name": "Wee Ones", "sort_code": "089999", "account_number": "66374958"},
            {"admin_name": "Iona", "admin_email": email},
            {"password": "a long enough password"},
        ):
            page = user.submit(page, "Continue", **values)
        return user.submit(page, "Register")

    assert "Registration complete" in register("iona@wee.example").text
    again = register("other@wee.example")
    assert again.status_code == 400 and "This setting is already registered" in again.text
    assert db.scalar(select(func.count()).select_from(Provider)) == 1
