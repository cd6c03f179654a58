"""Nursery sign-in lock-out (issue #18): per account *and* address, with growing waits; the same
answer for a locked, an unknown and a wrong-password attempt; the owner told once per lock-out."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from config.audit import AuditEvent
from config.database import utcnow
from config.notify import Notification
from providers import accounts, sign_in
from providers.models import ProviderUser
from providers.security_models import SignInThrottle
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_provider, give_password
from tests.http import User

STRANGER, OFFICE = "203.0.113.66", "198.51.100.20"


def _fail(session, email: str, address: str, times: int, password: str = "wrong password") -> None:
    for _ in range(times):
        with pytest.raises(accounts.SignInFailed) as failed:
            accounts.check_password(session, email, password, address)
        assert failed.value.detail == "Enter a correct email address and password"


def _locks(session, email: str) -> list[str]:
    return session.scalars(
        select(Notification.template).where(
            Notification.email == email, Notification.template == "provider_locked"
        )
    ).all()


def _throttle(session, address: str) -> SignInThrottle:
    session.expire_all()
    key = sign_in._keyed("address", address)
    return session.scalars(select(SignInThrottle).where(SignInThrottle.address_key == key)).one()


def test_a_stranger_hammering_from_one_address_never_locks_the_owner_out(session) -> None:
    provider, admin = create_provider(session)
    secret = give_password(session, admin, second_factor=True)
    email = provider.users[0].email
    _fail(session, email, STRANGER, 25)
    _fail(session, email, STRANGER, 1, password=PASSWORD)  # even the right password, from there
    user = accounts.check_password(session, email, PASSWORD, OFFICE)
    assert user.id == admin.id  # from the nursery's own address: on to the security code
    code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))
    assert accounts.check_second_factor(session, admin.id, code, OFFICE).id == admin.id


def test_each_further_failure_doubles_the_wait_up_to_an_hour(session) -> None:
    provider, admin = create_provider(session)
    give_password(session, admin)
    email = provider.users[0].email
    waits = []
    for _ in range(9):
        _fail(session, email, STRANGER, 1)
        row = _throttle(session, STRANGER)
        if row.locked_until is not None:
            waits.append(row.locked_until - row.last_failure_at)
            row.locked_until = utcnow() - timedelta(seconds=1)  # let the wait pass, then try again
            session.commit()
    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [5, 10, 20, 40, 60]
    assert [sign_in.wait_after(n) for n in (4, 5, 6, 30)] == [
        None,
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(hours=1),
    ]


def test_the_owner_is_emailed_once_per_lock_out_not_on_every_attempt(session) -> None:
    provider, admin = create_provider(session)
    give_password(session, admin)
    email = provider.users[0].email
    _fail(session, email, STRANGER, 12)  # locked at the 5th; 7 more while it lasts
    assert len(_locks(session, email)) == 1
    row = _throttle(session, STRANGER)
    row.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    _fail(session, email, STRANGER, 1)  # locked again, for longer: the same lock-out, no new email
    assert len(_locks(session, email)) == 1
    row = _throttle(session, STRANGER)
    row.locked_until = utcnow() - timedelta(seconds=1)
    session.commit()
    assert accounts.check_password(session, email, PASSWORD, STRANGER).id == admin.id  # a success resets
    _fail(session, email, STRANGER, 5)
    assert len(_locks(session, email)) == 2  # a new lock-out: told again
    assert (
        "You can still sign in as usual"
        in session.scalars(select(Notification).where(Notification.template == "provider_locked"))
        .first()
        .rendered()
        .body
    )


def test_unknown_accounts_are_throttled_alike_and_their_names_are_not_recorded(session) -> None:
    _fail(session, "nobody@nowhere.example", STRANGER, 6)
    row = _throttle(session, STRANGER)
    assert row.failures == 5 and row.locked_until is not None  # the 6th came while locked
    assert session.scalars(select(Notification)).all() == []
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.action for e in events].count("provider_sign_in.failed") == 6
    assert all("nobody" not in str(e.data) and "nowhere" not in str(e.data) for e in events)


def test_wrong_security_codes_count_towards_the_same_lock_out(session) -> None:
    provider, admin = create_provider(session)
    secret = give_password(session, admin, second_factor=True)
    email = provider.users[0].email
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    accounts.check_password(session, email, PASSWORD, STRANGER)
    for attempt in range(5):
        with pytest.raises((accounts.AccountLocked, accounts.ValidationFailed)) as failed:
            accounts.check_second_factor(session, admin.id, wrong, STRANGER)
        assert isinstance(failed.value, accounts.AccountLocked) == (attempt == 4)
    # The password is no way round it: the address waits for the password step too.
    _fail(session, email, STRANGER, 1, password=PASSWORD)
    assert len(_locks(session, email)) == 1


def test_a_right_password_then_wrong_codes_never_resets_the_count(session) -> None:
    """Guessing codes between right passwords must not start the count again."""
    provider, admin = create_provider(session)
    secret = give_password(session, admin, second_factor=True)
    email = provider.users[0].email
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    for _ in range(4):
        accounts.check_password(session, email, PASSWORD, STRANGER)
        with pytest.raises(accounts.ValidationFailed):
            accounts.check_second_factor(session, admin.id, wrong, STRANGER)
    accounts.check_password(session, email, PASSWORD, STRANGER)
    with pytest.raises(accounts.AccountLocked):
        accounts.check_second_factor(session, admin.id, wrong, STRANGER)


def _comparable(page: str) -> str:
    """The page without what differs on every answer anyway (CSRF token, CSP nonce, typed email)."""
    page = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "csrf", page)
    page = re.sub(r'value="[^"]*"', 'value=""', page)
    return re.sub(r'nonce="[^"]*"', "nonce", page)


def test_locked_unknown_and_wrong_password_answers_are_the_same_page(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    give_password(db, admin)
    other, other_admin = create_provider(db)
    give_password(db, other_admin)
    locked_email = other.users[0].email
    for _ in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.check_password(db, locked_email, "wrong password", "127.0.0.1")  # the test's address
    user = User(live_server.url)
    form = user.get("/provider/sign-in")
    answers = {
        "unknown": user.submit(form, "Sign in", email="nobody@nursery.example", password=PASSWORD),
        "wrong password": user.submit(form, "Sign in", email=provider.users[0].email, password="wrong one"),
        "locked": user.submit(form, "Sign in", email=locked_email, password=PASSWORD),
    }
    assert {answer.status_code for answer in answers.values()} == {400}
    pages = {name: _comparable(answer.text) for name, answer in answers.items()}
    assert pages["unknown"] == pages["wrong password"] == pages["locked"]
    assert "Enter a correct email address and password" in pages["locked"]
    db.expire_all()
    assert db.get_one(ProviderUser, other_admin.id).last_signed_in_at is None
