"""Nursery staff accounts: the second factor, invitations, passwords, signing out everywhere.

Signing in is ``providers.sign_in`` (lock-out per account and address), forgotten passwords
``providers.password_reset``; the names callers use are kept here too. Passwords are hashed with
Argon2id (``providers.passwords``); second factors are TOTP codes (RFC 6238, pyotp) that every
user must set up and that are accepted once only, with ten single-use recovery codes shown once.
Each use case is one transaction with its audit event.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, notify, settings
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import FieldError, Forbidden, NotFound, ValidationFailed, rule
from providers import recovery_codes
from providers.models import Provider, ProviderInvitation, ProviderUser, ProviderUserRole
from providers.passwords import check_new_password as check_new_password
from providers.passwords import hash_password as hash_password
from providers.sign_in import AccountLocked as AccountLocked
from providers.sign_in import SignInFailed as SignInFailed
from providers.sign_in import accept_totp
from providers.sign_in import check_password as check_password
from providers.sign_in import check_second_factor as check_second_factor
from providers.sign_in import user_actor as user_actor

INVITATION_LIFETIME = timedelta(days=7)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: ProviderUser, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Childcare Direct")


def set_up_second_factor(session: Session, actor: Actor, secret: str, code: str) -> list[str]:
    """Keep the authenticator app's secret once the user proves it works with a code from it;
    returns the user's new recovery codes, to be shown this once (only their hashes are kept)."""
    now = utcnow()
    with transaction(session):
        user = session.get_one(ProviderUser, actor.id, with_for_update=True)
        step = accept_totp(user, secret, code, now)
        if step is None:
            raise ValidationFailed(
                "The security code is not right",
                errors=[FieldError("code", "Enter the security code shown in your authenticator app")],
            )
        user.totp_secret, user.last_totp_step = secret, step
        codes = recovery_codes.replace_codes(session, user.id)
        audit.record(
            session, "provider_user.second_factor_set_up", user, actor, {"recovery_codes": len(codes)}
        )
    return codes


def replace_recovery_codes(session: Session, actor: Actor, code: str, address: str = "") -> list[str]:
    """New recovery codes for a user with a second factor (the old ones stop working), only
    for someone who shows the security code again: a session left open on a shared computer is
    not enough to take over the account's way back in. A wrong code counts towards the sign-in
    lock-out and is recorded in a transaction of its own (it raises)."""
    if actor.id is None:
        raise Forbidden("Sign in to your account first")
    check_second_factor(session, actor.id, code, address, signing_in=False)
    with transaction(session):
        user = session.get_one(ProviderUser, actor.id, with_for_update=True)
        if not user.totp_secret:
            raise Forbidden("Set up your security code first")
        codes = recovery_codes.replace_codes(session, user.id)
        audit.record(
            session, "provider_user.recovery_codes_replaced", user, actor, {"recovery_codes": len(codes)}
        )
    return codes


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
    if not notify.looks_like_email(email):
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
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.cancelled_at is not None
        or invitation.expires_at <= utcnow()
    ):
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


def development_code(secret: str | None) -> str | None:
    """Development only: the current code, so the demo needs no authenticator app."""
    if not settings.current().dev_identity_provider or not secret:
        return None
    return str(pyotp.TOTP(secret).now())
