"""Nursery staff signing in: password, then security code (or a recovery code).

What a stranger learns, and what they can break:

- A locked attempt, an unknown email and a wrong password get the same answer in the same words
  (``FAILED``), and cost the same: every path runs one Argon2 verification (against a dummy hash
  when there is no account), one throttle row, one audit event and one commit.
- Failures are counted per account name *and* address (``SignInThrottle``), never for the
  account as a whole: after ``MAX_FAILURES`` from one address, that address waits ``FIRST_WAIT``,
  doubled at each further failure up to ``LONGEST_WAIT``; from anywhere else the owner signs in
  as usual, so nobody can lock a nursery out of its account. Unknown names are throttled alike.
- The owner is emailed once per lock-out (when an address is first locked out), not per attempt.
- Guessing spread over many addresses meets the per-account rate limit (config.limits).

Each attempt is one transaction; a failure is recorded (and counted) although it raises.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, notify, settings
from config.auth import SYSTEM, Actor
from config.database import transaction, utcnow
from config.errors import N_, DomainError, FieldError, ValidationFailed, Words
from config.formatting import moment
from providers import recovery_codes
from providers.models import ProviderUser, ProviderUserRole
from providers.passwords import verify_password
from providers.security_models import SignInThrottle
from providers.service import provider_user_actor

MAX_FAILURES = 5
FIRST_WAIT = timedelta(minutes=5)
LONGEST_WAIT = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=24)  # a quiet day wipes an address's count
FAILED = N_("Enter a correct email address and password")


class SignInFailed(DomainError):
    status = 401
    code = "sign_in_failed"
    title = "Sign-in failed"


class AccountLocked(DomainError):
    """Only after the password was right (the code step): there, saying so tells nothing new."""

    status = 423
    code = "account_locked"
    title = "Account locked"


def user_actor(user: ProviderUser) -> Actor:
    return provider_user_actor(
        user.id, user.provider_id, user.name, admin=user.role is ProviderUserRole.ADMIN
    )


def _keyed(kind: str, value: str) -> str:
    """A keyed hash, so neither addresses nor typed names are stored as they were sent."""
    key = ("sign-in:" + settings.current().secret_key).encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def account_key(email: str) -> str:
    return _keyed("account", email.strip().lower())


def _throttle(session: Session, email: str, address: str, now: datetime) -> SignInThrottle:
    """This account name's row for this address (locked for the transaction), made if new."""
    keys = {"account_key": account_key(email), "address_key": _keyed("address", address)}
    row = session.scalars(select(SignInThrottle).filter_by(**keys).with_for_update()).one_or_none()
    if row is None:
        row = SignInThrottle(id=uuid.uuid4(), failures=0, last_failure_at=now, **keys)
        session.add(row)
        session.flush()  # a second first attempt racing this one breaks the unique key: refused
    elif not _locked(row, now) and row.last_failure_at < now - FORGET_AFTER:
        row.failures, row.locked_until, row.owner_told_at = 0, None, None
    return row


def _locked(row: SignInThrottle, now: datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def wait_after(failures: int) -> timedelta | None:
    """How long an address waits after its ``failures``-th failure in a row (None: not yet)."""
    if failures < MAX_FAILURES:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - MAX_FAILURES, 16), LONGEST_WAIT)


def _count_failure(
    session: Session, row: SignInThrottle, user: ProviderUser | None, now: datetime, what: str
) -> None:
    """One more failure from this address; past the limit, a wait (and the owner told, once)."""
    row.failures += 1
    row.last_failure_at = now
    _record(session, row, user, what)
    wait = wait_after(row.failures)
    if wait is None:
        return
    row.locked_until = now + wait
    audit.record(
        session,
        "provider_user.locked" if user else "provider_sign_in.locked",
        user or row,
        SYSTEM,
        {"until": row.locked_until, "failures": row.failures, "address": row.address_key[:12]},
    )
    if user is not None and row.owner_told_at is None:
        row.owner_told_at = now
        notify.queue_email(
            session,
            to=user.email,
            template="provider_locked",
            reference=f"locked-{user.id}-{row.id}-{int(now.timestamp())}",
            until=moment(row.locked_until),
        )


def _record(session: Session, row: SignInThrottle, user: ProviderUser | None, what: str) -> None:
    """The failure's audit event: on the user if there is one, else on the throttle row (no email
    address is written: people type passwords into the email box)."""
    data: dict[str, Any] = {"failed": what, "address": row.address_key[:12]}
    if user is not None:
        audit.record(session, "provider_user.sign_in_failed", user, user_actor(user), data)
    else:
        audit.record(session, "provider_sign_in.failed", row, SYSTEM, data)


def check_password(session: Session, email: str, password: str, address: str = "") -> ProviderUser:
    """First step of signing in, from client ``address``. Raises ``SignInFailed(FAILED)`` for a
    wrong password, an unknown or switched-off account and an address waiting out a lock-out
    alike (even with the right password); counts the failure towards the address's lock-out."""
    now = utcnow()
    email = email.strip().lower()
    with transaction(session, {SignInThrottle.__tablename__: lambda: SignInFailed(FAILED)}):
        found = session.scalars(
            select(ProviderUser).where(ProviderUser.email == email).with_for_update()
        ).one_or_none()
        user = found if found is not None and found.active and found.password_hash else None
        row = _throttle(session, email, address, now)
        right = verify_password(user.password_hash if user else None, password)  # always the same work
        if _locked(row, now):
            row.last_failure_at = now  # still trying: the count is kept for another day
            _record(session, row, user, "locked")
        elif right and user is not None:
            if user.totp_secret is None:
                _signed_in(session, user, row, now)
            return user  # the count stays until the security code is right too
        else:
            _count_failure(session, row, user, now, "password")
    raise SignInFailed(FAILED)


def _signed_in(session: Session, user: ProviderUser, row: SignInThrottle, now: datetime) -> None:
    row.failures, row.locked_until, row.owner_told_at = 0, None, None
    user.last_signed_in_at = now
    audit.record(session, "provider_user.signed_in", user, user_actor(user))


def accept_totp(user: ProviderUser, secret: str, code: str, now: datetime) -> int | None:
    """The TOTP time step the code belongs to (this one or either neighbour), if it is right and new."""
    totp = pyotp.TOTP(secret)
    code = "".join(code.split())
    step = int(now.timestamp()) // totp.interval
    for candidate in (step, step - 1, step + 1):
        if secrets.compare_digest(totp.generate_otp(candidate), code):
            if user.last_totp_step is not None and candidate <= user.last_totp_step:
                return None  # already used: a code works once
            return candidate
    return None


WRONG_CODE = N_("Enter the security code shown in your authenticator app, or one of your recovery codes")


def check_second_factor(
    session: Session, user_id: uuid.UUID, code: str, address: str = "", *, signing_in: bool = True
) -> ProviderUser:
    """Second step: a code from the authenticator app, or an unused recovery code (spent here).
    Failures count towards the same lock-out as the password's, for this account and address.
    ``signing_in=False`` is a signed-in person showing the code again before a sensitive change:
    the same checks and lock-out, but it is not recorded as a sign-in."""
    now = utcnow()
    with transaction(session, {SignInThrottle.__tablename__: lambda: SignInFailed(FAILED)}):
        user = session.get_one(ProviderUser, user_id, with_for_update=True)
        row = _throttle(session, user.email, address, now)
        outcome: DomainError
        if _locked(row, now):
            _record(session, row, user, "locked")
            outcome = _lock_message(row)
        elif recovery_codes.looks_like_recovery_code(code):
            if recovery_codes.use_code(session, user.id, code, now):
                left = recovery_codes.codes_left(session, user.id)
                audit.record(
                    session, "provider_user.recovery_code_used", user, user_actor(user), {"left": left}
                )
                if signing_in:
                    _signed_in(session, user, row, now)
                return user
            outcome = _wrong_code(session, row, user, now, "recovery code")
        elif user.totp_secret and (step := accept_totp(user, user.totp_secret, code, now)) is not None:
            user.last_totp_step = step
            if signing_in:
                _signed_in(session, user, row, now)
            return user
        else:
            outcome = _wrong_code(session, row, user, now, "security code")
    raise outcome


def _wrong_code(
    session: Session, row: SignInThrottle, user: ProviderUser, now: datetime, what: str
) -> DomainError:
    _count_failure(session, row, user, now, what)
    if _locked(row, now):
        return _lock_message(row)
    return ValidationFailed("The security code is not right", errors=[FieldError("code", WRONG_CODE)])


def _lock_message(row: SignInThrottle) -> AccountLocked:
    return AccountLocked(
        Words(
            "There have been too many wrong attempts to sign in to your account from here. "
            "Try again after %(when)s.",
            when=moment(row.locked_until),
        )
    )
