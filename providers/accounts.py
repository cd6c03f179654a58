"""Nursery staff accounts: passwords, the second factor, lock-out, invitations, signing out everywhere.

Passwords are hashed with Argon2id (argon2-cffi); second factors are TOTP codes (RFC 6238, pyotp)
that admins must set up and that are accepted once only. Five wrong passwords or codes in a row
lock the account for 15 minutes (and tell its owner by email); the sign-in pages are also rate
limited per address. Each use case is one transaction with its audit event; a failed sign-in is
recorded (and counted) even though it raises.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, notify, settings
from config.auth import SYSTEM, Actor
from config.database import transaction, utcnow
from config.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed, rule
from config.formatting import london_time
from providers.models import Provider, ProviderInvitation, ProviderUser, ProviderUserRole
from providers.service import provider_user_actor

MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=7)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Checked against when the email is unknown, so a wrong email costs the same time as a wrong password.
_NOBODY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# The few passwords people pick most; a real service would also check a breached-password list.
_COMMON = frozenset({"password123", "1234567890", "qwertyuiop", "password1234", "letmein123", "childcare1"})


class SignInFailed(DomainError):
    status = 401
    code = "sign_in_failed"
    title = "Sign-in failed"


class AccountLocked(DomainError):
    status = 423
    code = "account_locked"
    title = "Account locked"


def user_actor(user: ProviderUser) -> Actor:
    return provider_user_actor(
        user.id, user.provider_id, user.name, admin=user.role is ProviderUserRole.ADMIN
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_new_password(password: str, field: str = "password") -> None:
    problem = None
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    elif len(password) > 128:
        problem = "Password must be 128 characters or fewer"
    elif password.lower() in _COMMON:
        problem = "Choose a password that is harder to guess"
    if problem:
        raise ValidationFailed("The password is not valid", errors=[FieldError(field, problem)])


def _locked(user: ProviderUser, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def _lock_message(user: ProviderUser) -> AccountLocked:
    until = london_time(user.locked_until)
    return AccountLocked(
        f"Your account is locked because of too many failed attempts. Try again after {until}."
    )


def _count_failure(session: Session, user: ProviderUser, now: datetime, what: str) -> None:
    user.failed_sign_ins += 1
    audit.record(session, "provider_user.sign_in_failed", user, user_actor(user), {"failed": what})
    if user.failed_sign_ins >= MAX_FAILURES:
        user.locked_until, user.failed_sign_ins = now + LOCK_FOR, 0
        audit.record(session, "provider_user.locked", user, SYSTEM, {"until": user.locked_until})
        notify.queue_email(
            session,
            to=user.email,
            template="provider_locked",
            reference=f"locked-{user.id}-{int(now.timestamp())}",
            until=london_time(user.locked_until),
        )


def check_password(session: Session, email: str, password: str) -> ProviderUser:
    """First step of signing in. Raises ``SignInFailed`` (one message whether the email or the
    password was wrong) or ``AccountLocked``; a failure is counted towards the lock-out."""
    now = utcnow()
    failed = SignInFailed("Enter a correct email address and password")
    with transaction(session):
        user = session.scalars(
            select(ProviderUser).where(ProviderUser.email == email.strip().lower()).with_for_update()
        ).one_or_none()
        if user is None or not user.active or not user.password_hash:
            _verify(_NOBODY_HASH, password)
            raise failed
        if _locked(user, now):
            raise _lock_message(user)
        if not _verify(user.password_hash, password):
            _count_failure(session, user, now, "password")
            outcome: DomainError = _lock_message(user) if _locked(user, now) else failed
        else:
            if user.totp_secret is None:
                _signed_in(session, user, now)
            return user
    raise outcome


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _signed_in(session: Session, user: ProviderUser, now: datetime) -> None:
    user.failed_sign_ins, user.last_signed_in_at = 0, now
    audit.record(session, "provider_user.signed_in", user, user_actor(user))


def _accept_code(user: ProviderUser, secret: str, code: str, now: datetime) -> int | None:
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


def check_second_factor(session: Session, user_id: uuid.UUID, code: str) -> ProviderUser:
    """Second step: the code from the user's authenticator app. Counted towards the lock-out."""
    now = utcnow()
    with transaction(session):
        user = session.get_one(ProviderUser, user_id, with_for_update=True)
        if _locked(user, now):
            raise _lock_message(user)
        step = _accept_code(user, user.totp_secret or "", code, now) if user.totp_secret else None
        if step is None:
            _count_failure(session, user, now, "security code")
            outcome: DomainError = (
                _lock_message(user)
                if _locked(user, now)
                else ValidationFailed(
                    "The security code is not right",
                    errors=[FieldError("code", "Enter the security code shown in your authenticator app")],
                )
            )
        else:
            user.last_totp_step = step
            _signed_in(session, user, now)
            return user
    raise outcome


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: ProviderUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Childcare Direct")


def set_up_second_factor(session: Session, actor: Actor, secret: str, code: str) -> ProviderUser:
    """Keep the authenticator app's secret once the user proves it works with a code from it."""
    now = utcnow()
    with transaction(session):
        user = session.get_one(ProviderUser, actor.id, with_for_update=True)
        step = _accept_code(user, secret, code, now)
        if step is None:
            raise ValidationFailed(
                "The security code is not right",
                errors=[FieldError("code", "Enter the security code shown in your authenticator app")],
            )
        user.totp_secret, user.last_totp_step = secret, step
        audit.record(session, "provider_user.second_factor_set_up", user, actor)
    return user


def sign_out_everywhere(session: Session, actor: Actor) -> None:
    """End every session of this user, on every device, including the one asking."""
    with transaction(session):
        user = session.get_one(ProviderUser, actor.id, with_for_update=True)
        user.sessions_valid_from = utcnow()
        audit.record(session, "provider_user.signed_out_everywhere", user, actor)


def session_still_valid(user: ProviderUser, signed_in_at: float) -> bool:
    if not user.active:
        return False
    return user.sessions_valid_from is None or signed_in_at > user.sessions_valid_from.timestamp()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_colleague(
    session: Session, actor: Actor, *, email: str, name: str, role: ProviderUserRole, link_base: str
) -> ProviderInvitation:
    """An admin invites a colleague by email; the link lets them set a password within 7 days."""
    provider_id = actor.require_provider()
    inviter = session.get(ProviderUser, actor.id) if actor.id else None
    if inviter is None or inviter.provider_id != provider_id or inviter.role is not ProviderUserRole.ADMIN:
        raise Forbidden("Only an admin for your setting can invite colleagues")
    email = email.strip().lower()
    errors = []
    if "@" not in email or "." not in email.rpartition("@")[2]:
        errors.append(
            FieldError("email", "Enter an email address in the correct format, like name@example.com")
        )
    if not name.strip():
        errors.append(FieldError("name", "Enter their full name"))
    if errors:
        raise ValidationFailed("The invitation is not valid", errors=errors)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with transaction(session):
        if session.scalars(select(ProviderUser.id).where(ProviderUser.email == email)).first():
            raise rule(
                "email_in_use",
                "Email address in use",
                "That email address already has an account",
                errors=[FieldError("email", "That email address already has an account")],
            )
        provider = session.get_one(Provider, provider_id)
        invitation = ProviderInvitation(
            id=uuid.uuid4(),
            provider_id=provider_id,
            email=email,
            name=name.strip(),
            role=role,
            token_hash=_token_hash(token),
            invited_by_id=inviter.id,
            expires_at=now + INVITATION_LIFETIME,
        )
        session.add(invitation)
        audit.record(session, "provider_user.invited", invitation, actor, {"email": email, "role": role})
        notify.queue_email(
            session,
            to=email,
            template="provider_invitation",
            reference=f"invitation-{invitation.id}",
            inviter=inviter.name,
            provider=provider.name,
            link=f"{link_base}/{token}",
        )
    return invitation


def find_invitation(session: Session, token: str) -> ProviderInvitation:
    invitation = session.scalars(
        select(ProviderInvitation).where(ProviderInvitation.token_hash == _token_hash(token))
    ).one_or_none()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise NotFound("This invitation link has expired or has already been used. Ask for a new one.")
    return invitation


def accept_invitation(session: Session, token: str, password: str) -> ProviderUser:
    """The invited colleague sets their password; the link then stops working."""
    check_new_password(password)
    with transaction(session):
        invitation = find_invitation(session, token)
        invitation.accepted_at = utcnow()
        user = ProviderUser(
            id=uuid.uuid4(),
            provider_id=invitation.provider_id,
            email=invitation.email,
            name=invitation.name,
            role=invitation.role,
            password_hash=hash_password(password),
        )
        session.add(user)
        audit.record(session, "provider_user.joined", user, user_actor(user), {"role": user.role})
    return user


def set_password(session: Session, actor: Actor, password: str) -> None:
    """A signed-in user (or a newly registered admin) sets their own password."""
    check_new_password(password)
    with transaction(session):
        user = session.get_one(ProviderUser, actor.id, with_for_update=True)
        user.password_hash = hash_password(password)
        audit.record(session, "provider_user.password_set", user, actor)


def team(session: Session, actor: Actor) -> list[ProviderUser]:
    provider_id = actor.require_provider()
    return list(
        session.scalars(
            select(ProviderUser).where(ProviderUser.provider_id == provider_id).order_by(ProviderUser.name)
        )
    )


def pending_invitations(session: Session, actor: Actor) -> list[ProviderInvitation]:
    provider_id = actor.require_provider()
    return list(
        session.scalars(
            select(ProviderInvitation)
            .where(
                ProviderInvitation.provider_id == provider_id,
                ProviderInvitation.accepted_at.is_(None),
                ProviderInvitation.expires_at > utcnow(),
            )
            .order_by(ProviderInvitation.created_at)
        )
    )


def development_code(secret: str | None) -> str | None:
    """Development only: the current code, so the demo needs no authenticator app."""
    if not settings.current().dev_identity_provider or not secret:
        return None
    return str(pyotp.TOTP(secret).now())
