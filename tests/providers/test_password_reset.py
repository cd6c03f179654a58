"""Forgotten passwords (issue #18): an emailed single-use link, for one hour, stored hashed, that
ends every session of the user; asking says the same whether or not the account exists."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select, text

from config.audit import AuditEvent
from config.database import utcnow
from config.notify import Notification
from providers import accounts, password_reset
from providers.models import ProviderUser
from providers.security_models import PasswordReset, SignInThrottle
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_provider, give_password
from tests.http import User, sign_in_provider

NEW_PASSWORD = "a brand new long password"
SENT = "If there is an account for that email address, we have emailed it a link"


def _ask(live_server: LiveServer, email: str):
    user = User(live_server.url)
    form = user.get("/provider/password-reset")
    return user.submit(form, "Send the link", email=email)


def _link(db, email: str) -> str:
    db.expire_all()
    note = db.scalars(
        select(Notification)
        .where(Notification.email == email, Notification.template == "provider_password_reset")
        .order_by(Notification.created_at.desc())
    ).first()
    return urlsplit(note.personalisation["link"]).path


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    give_password(db, admin)
    secret = accounts.new_totp_secret()
    codes = accounts.set_up_second_factor(db, admin, secret, pyotp.TOTP(secret).now())
    email = provider.users[0].email
    elsewhere, home = sign_in_provider(live_server.url, email, PASSWORD, secret)
    assert urlsplit(home.url).path == "/provider/home"
    assert "Forgotten your password?" in User(live_server.url).get("/provider/sign-in").text

    unknown = _ask(live_server, "nobody@nursery.example")
    known = _ask(live_server, email.upper())
    assert SENT in unknown.text and SENT in known.text
    assert urlsplit(unknown.url).path == urlsplit(known.url).path == "/provider/sign-in"
    assert db.scalars(
        select(Notification.email).where(Notification.template == "provider_password_reset")
    ).all() == [email]

    path = _link(db, email)
    token = path.rsplit("/", 1)[1]
    stored = db.scalars(select(PasswordReset)).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
    assert stored.expires_at - stored.created_at == timedelta(hours=1)
    dumped = " ".join(str(row) for row in db.execute(text("SELECT * FROM provider_password_resets")).all())
    assert token not in dumped

    person = User(live_server.url)
    page = person.get(path)
    weak = person.submit(page, "Reset password", password="short")
    assert weak.status_code == 400 and "Password must be 10 characters or more" in weak.text
    done = person.submit(weak, "Reset password", password=NEW_PASSWORD)
    assert urlsplit(done.url).path == "/provider/sign-in" and "Your password is reset" in done.text
    spent = person.get(path)
    assert spent.status_code == 404  # the link works once
    assert "This link no longer works" in spent.text and "Ask for a new link" in spent.text
    assert urlsplit(elsewhere.get("/provider/home").url).path == "/provider/sign-in"  # session ended

    refused = User(live_server.url)
    old = refused.submit(refused.get("/provider/sign-in"), "Sign in", email=email, password=PASSWORD)
    assert old.status_code == 400
    _again, landed = sign_in_provider(live_server.url, email, NEW_PASSWORD, recovery_code=codes[0])
    assert urlsplit(landed.url).path == "/provider/home"  # the new one, with the security code still
    db.expire_all()
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(admin.id))).all()
    assert "provider_user.password_reset_requested" in actions and "provider_user.password_reset" in actions
    changed = db.scalars(
        select(Notification).where(Notification.template == "provider_password_changed")
    ).one()
    assert changed.email == email


def test_an_expired_link_changes_nothing(session) -> None:
    provider, admin = create_provider(session)
    give_password(session, admin)
    email = provider.users[0].email
    password_reset.request_password_reset(session, email, "http://test/provider/password-reset")
    token = session.scalars(select(Notification.personalisation)).all()[-1]["link"].rsplit("/", 1)[1]
    reset = session.scalars(select(PasswordReset)).one()
    reset.expires_at = utcnow() - timedelta(seconds=1)  # the hour has passed
    session.commit()
    with pytest.raises(password_reset.NotFound, match="expired or has already been used"):
        password_reset.reset_password(session, token, NEW_PASSWORD)
    assert accounts.check_password(session, email, PASSWORD).id == admin.id  # still the old password


def test_using_one_link_spends_every_other_and_clears_the_lock_outs(session) -> None:
    provider, admin = create_provider(session)
    give_password(session, admin)
    email = provider.users[0].email
    for _ in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.check_password(session, email, "wrong password", "203.0.113.9")
    for _ in range(2):
        password_reset.request_password_reset(session, email, "http://test/r")
    first, second = [
        link["link"].rsplit("/", 1)[1]
        for link in session.scalars(
            select(Notification.personalisation).where(Notification.template == "provider_password_reset")
        )
    ]
    password_reset.reset_password(session, second, NEW_PASSWORD)
    with pytest.raises(password_reset.NotFound):
        password_reset.reset_password(session, first, "yet another long password")
    assert session.scalars(select(SignInThrottle)).all() == []  # the owner showed they hold the mailbox
    session.expire_all()
    assert session.get_one(ProviderUser, admin.id).sessions_valid_from is not None
    assert accounts.check_password(session, email, NEW_PASSWORD, "203.0.113.9").id == admin.id


def test_asking_for_links_is_limited_per_account(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    give_password(db, admin)
    user = User(live_server.url)
    form = user.get("/provider/password-reset")
    email = provider.users[0].email
    answers = [user.submit(form, "Send the link", email=email).status_code for _ in range(11)]
    # RATE_LIMIT_SIGN_IN_ACCOUNT, 10 a minute (the address's own limit is 20 a minute)
    assert answers[:10] == [200] * 10 and answers[10] == 429
    sent = db.scalars(select(Notification).where(Notification.template == "provider_password_reset")).all()
    assert len(sent) == 10
