"""Nursery staff accounts: passwords, lock-out, the second factor, invitations, signing out everywhere."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select

from config.database import utcnow
from config.errors import DomainError
from config.notify import Notification
from providers import accounts
from providers.models import ProviderUser
from providers.security_models import SignInThrottle
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_provider, create_provider_user, give_password
from tests.http import User, sign_in_provider


def path(response) -> str:
    return urlsplit(response.url).path


def test_five_wrong_passwords_lock_the_account_and_tell_its_owner(session) -> None:
    # Issue #18: the lock is now on the account *from that address* (with the same answer as a
    # wrong password), the owner is told once, and from elsewhere the owner still signs in.
    provider, admin = create_provider(session)
    give_password(session, admin)
    email = provider.users[0].email
    for _ in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.check_password(session, email, "wrong password", "203.0.113.7")
    with pytest.raises(accounts.SignInFailed):
        accounts.check_password(session, email, PASSWORD, "203.0.113.7")  # even the right one, while locked
    assert session.scalars(select(Notification.template).where(Notification.email == email)).all() == [
        "provider_registered",
        "provider_locked",
    ]
    assert accounts.check_password(session, email, PASSWORD, "198.51.100.1").id == admin.id  # elsewhere
    row = session.scalars(select(SignInThrottle).where(SignInThrottle.locked_until.is_not(None))).one()
    row.locked_until = utcnow() - timedelta(seconds=1)  # the wait has passed
    session.commit()
    assert accounts.check_password(session, email, PASSWORD, "203.0.113.7").id == admin.id


def test_an_unknown_email_and_a_wrong_password_get_the_same_answer(session) -> None:
    provider, admin = create_provider(session)
    give_password(session, admin)
    answers = []
    for email, password in (("nobody@example.com", PASSWORD), (provider.users[0].email, "wrong password")):
        with pytest.raises(DomainError) as error:
            accounts.check_password(session, email, password)
        answers.append((error.value.status, error.value.detail))
    assert answers[0] == answers[1] == (401, "Enter a correct email address and password")


def test_a_security_code_works_once_only(session) -> None:
    _, admin = create_provider(session)
    secret = give_password(session, admin, second_factor=True)
    user = session.get_one(ProviderUser, admin.id)
    user.last_totp_step = None
    session.commit()
    code = pyotp.TOTP(secret).now()
    accounts.check_second_factor(session, admin.id, code)
    with pytest.raises(DomainError) as error:
        accounts.check_second_factor(session, admin.id, code)  # replayed
    assert error.value.errors[0].field == "code"


def test_signing_in_with_a_security_code_over_http(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    secret = give_password(db, admin, second_factor=True)
    email = provider.users[0].email
    user = User(live_server.url)
    wrong = user.submit(user.get("/provider/sign-in"), "Sign in", email=email, password="not it at all")
    assert wrong.status_code == 400 and "Enter a correct email address and password" in wrong.text
    code_page = user.submit(wrong, "Sign in", email=email, password=PASSWORD)
    assert path(code_page) == "/provider/sign-in/code"
    assert path(user.get("/provider/home")) == "/provider/sign-in"  # not signed in until the code
    bad = user.submit(
        code_page, "Continue", code="123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
    )
    assert bad.status_code == 400
    home = user.submit(bad, "Continue", code=pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30)))
    assert path(home) == "/provider/home" and provider.name in home.text


def test_sign_out_everywhere_ends_every_session(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    staff = create_provider_user(db, provider, admin)
    email = db.get_one(ProviderUser, staff.id).email
    secret = accounts.new_totp_secret()  # everyone has a second factor now (issue #18)
    codes = accounts.set_up_second_factor(db, staff, secret, pyotp.TOTP(secret).now())
    laptop, home = sign_in_provider(live_server.url, email, PASSWORD, secret)
    phone, _ = sign_in_provider(live_server.url, email, PASSWORD, recovery_code=codes[0])
    assert path(phone.get("/provider/invoices")) == "/provider/invoices"
    out = laptop.submit(home, "Sign out everywhere")
    assert "You have signed out on every device" in out.text
    assert path(phone.get("/provider/invoices")) == "/provider/sign-in"
    assert path(laptop.get("/provider/invoices")) == "/provider/sign-in"
    again, _ = sign_in_provider(
        live_server.url, email, PASSWORD, recovery_code=codes[1]
    )  # a new sign-in works
    assert path(again.get("/provider/invoices")) == "/provider/invoices"


def test_an_admin_invites_a_colleague_who_sets_a_password_and_is_staff(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    secret = give_password(db, admin, second_factor=True)
    boss, _ = sign_in_provider(live_server.url, provider.users[0].email, PASSWORD, secret)
    form = boss.get("/provider/team/invite")
    bad = boss.submit(form, "Send invitation", name="Sam", email="not-an-email", role="staff")
    assert bad.status_code == 400 and "Enter an email address in the correct format" in bad.text
    sent = boss.submit(bad, "Send invitation", name="Sam Jones", email="sam@acorns.example", role="staff")
    assert "We have emailed an invitation to sam@acorns.example" in sent.text
    note = db.scalars(select(Notification).where(Notification.template == "provider_invitation")).one()
    link = note.personalisation["link"]
    assert link.startswith(f"{live_server.url}/provider/invitations/")

    colleague = User(live_server.url)
    page = colleague.get(urlsplit(link).path)
    assert "sam@acorns.example" in page.text
    joined = colleague.submit(page, "Create account", password="another long password")
    assert path(joined) == "/provider/security-code/set-up"  # staff too must set one up (issue #18)
    key = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', joined.text).group(1)
    assert "Your recovery codes" in colleague.submit(joined, "Continue", code=pyotp.TOTP(key).now()).text
    assert path(colleague.get("/provider/home")) == "/provider/home"
    assert colleague.get(urlsplit(link).path).status_code == 404  # the link works once
    assert colleague.get("/provider/team/invite").status_code == 403  # staff can not invite
    assert colleague.get("/provider/software").status_code == 403
    assert "Sam Jones" in boss.get("/provider/team").text


def test_an_admin_must_set_up_a_security_code_before_anything_else(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    give_password(db, admin)
    user, landing = sign_in_provider(
        live_server.url, provider.users[0].email, PASSWORD, set_up_second_factor=False
    )
    assert path(landing) == "/provider/security-code/set-up"
    assert path(user.get("/provider/invoices")) == "/provider/security-code/set-up"
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', landing.text).group(1)
    codes = user.submit(landing, "Continue", code=pyotp.TOTP(secret).now())
    assert "Your recovery codes" in codes.text  # shown once, then on to the home page
    home = user.get("/provider/home")
    assert path(home) == "/provider/home"
    db.expire_all()
    assert db.get_one(ProviderUser, admin.id).totp_secret == secret
