"""Recovery codes (issue #18): shown once, stored hashed, each works once in place of a security
code; and every nursery user, admin or not, must set up a second factor first."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select, text

from config.audit import AuditEvent
from providers import accounts, recovery_codes
from providers.models import ProviderUser
from providers.security_models import RecoveryCode
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_provider, create_provider_user, give_password
from tests.http import User, sign_in_provider


def path(response) -> str:
    return urlsplit(response.url).path


def _codes(page) -> list[str]:
    return re.findall(r'data-testid="recovery-code">([A-Z0-9-]+)<', page.text)


def test_staff_set_up_a_second_factor_and_see_their_recovery_codes_once(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    colleague = create_provider_user(db, provider, admin)  # staff, not an admin
    email = db.get_one(ProviderUser, colleague.id).email
    user, landing = sign_in_provider(live_server.url, email, PASSWORD, set_up_second_factor=False)
    assert path(landing) == "/provider/security-code/set-up"
    assert path(user.get("/provider/invoices")) == "/provider/security-code/set-up"  # nothing else first
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', landing.text).group(1)
    shown = user.submit(landing, "Continue", code=pyotp.TOTP(secret).now())
    codes = _codes(shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", c) for c in codes)
    assert shown.headers["Cache-Control"] == "no-store"
    home = user.get("/provider/home")
    assert path(home) == "/provider/home" and not _codes(home)  # never shown again
    stored = " ".join(str(row) for row in db.execute(text("SELECT * FROM provider_recovery_codes")).all())
    assert all(code not in stored and code.replace("-", "") not in stored for code in codes)
    assert db.scalar(select(RecoveryCode.code_hash).limit(1)) != recovery_codes.normalise(codes[0])


def test_a_recovery_code_works_once_in_place_of_a_security_code(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    give_password(db, admin)
    secret = accounts.new_totp_secret()
    codes = accounts.set_up_second_factor(db, admin, secret, pyotp.TOTP(secret).now())
    email = provider.users[0].email
    typed = codes[3].lower().replace("-", " ")  # as someone might type it from paper
    _user, home = sign_in_provider(live_server.url, email, PASSWORD, recovery_code=typed)
    assert path(home) == "/provider/home"
    again = User(live_server.url)
    page = again.submit(again.get("/provider/sign-in"), "Sign in", email=email, password=PASSWORD)
    refused = again.submit(page, "Continue", code=codes[3])
    assert refused.status_code == 400 and "or one of your recovery codes" in refused.text
    assert path(again.get("/provider/home")) == "/provider/sign-in"
    db.expire_all()
    used = db.scalars(select(AuditEvent).where(AuditEvent.action == "provider_user.recovery_code_used")).one()
    assert used.data == {"left": 9}


def test_new_recovery_codes_replace_the_old_ones(live_server: LiveServer, db) -> None:
    provider, admin = create_provider(db)
    give_password(db, admin)
    secret = accounts.new_totp_secret()
    old = accounts.set_up_second_factor(db, admin, secret, pyotp.TOTP(secret).now())
    user, home = sign_in_provider(live_server.url, provider.users[0].email, PASSWORD, recovery_code=old[0])
    assert "/provider/security-code/recovery-codes" in home.text
    asked = user.get("/provider/security-code/recovery-codes")
    assert "Your current recovery codes will stop working" in asked.text
    # An open session is not enough: the codes are replaced only for the security code, and a
    # wrong one changes nothing (and counts towards the lock-out like any wrong code).
    wrong = user.submit(asked, "Get new recovery codes", code="000000")
    assert wrong.status_code == 400 and "or one of your recovery codes" in wrong.text
    assert recovery_codes.codes_left(db, admin.id) == 9
    next_code = pyotp.TOTP(secret).at(time.time() + 30)  # set-up spent this step's code
    shown = user.submit(wrong, "Get new recovery codes", code=next_code)
    new = _codes(shown)
    assert len(new) == 10 and not set(new) & set(old)
    assert "Your old recovery codes no longer work" in shown.text
    with pytest.raises(accounts.ValidationFailed):
        accounts.check_second_factor(db, admin.id, old[1])
    assert accounts.check_second_factor(db, admin.id, new[1]).id == admin.id


def test_a_recovery_code_is_spent_once_by_a_conditional_update(session) -> None:
    _provider, admin = create_provider(session)
    give_password(session, admin)
    secret = accounts.new_totp_secret()
    codes = accounts.set_up_second_factor(session, admin, secret, pyotp.TOTP(secret).now())
    from config.database import utcnow

    first = recovery_codes.use_code(session, admin.id, codes[0], utcnow())
    second = recovery_codes.use_code(session, admin.id, codes[0], utcnow())
    session.commit()
    assert (first, second) == (True, False)
    assert recovery_codes.codes_left(session, admin.id) == 9
    assert recovery_codes.looks_like_recovery_code(codes[0]) and not recovery_codes.looks_like_recovery_code(
        "123456"
    )
