"""A nursery's team: an admin removes a colleague, changes a colleague's role, and resends or
cancels an invitation. Each use case is one transaction with its audit event.

A setting always keeps at least one admin: the last one cannot remove themselves nor make
themselves staff (nobody would be left to manage the team, the bank details or the software).
The provider's row is locked first, so two admins changing the team at once take turns and
cannot both step down. A removed colleague's account is switched off, not deleted (their name
stays on what they did), and every session of theirs ends at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import audit, notify
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import N_, FieldError, Forbidden, NotFound, rule
from providers.accounts import INVITATION_LIFETIME, _token_hash
from providers.models import Provider, ProviderInvitation, ProviderUser, ProviderUserRole

LAST_ADMIN = "last_admin"


def _admin(session: Session, actor: Actor) -> tuple[ProviderUser, Provider]:
    """The acting admin (refused for anyone else) and their provider, locked for the change."""
    provider_id = actor.require_provider()
    provider = session.get(Provider, provider_id, with_for_update=True, populate_existing=True)
    me = session.get(ProviderUser, actor.id) if actor.id else None
    if (
        provider is None
        or me is None
        or not me.active
        or me.provider_id != provider_id
        or me.role is not ProviderUserRole.ADMIN
    ):
        raise Forbidden("Only an admin for your setting can change the team")
    return me, provider


def _colleague(session: Session, provider: Provider, user_id: uuid.UUID) -> ProviderUser:
    user = session.get(ProviderUser, user_id, with_for_update=True, populate_existing=True)
    if user is None or user.provider_id != provider.id or not user.active:
        raise NotFound("No such person in your team")
    return user


def _other_admins(session: Session, provider: Provider, user: ProviderUser) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ProviderUser)
            .where(
                ProviderUser.provider_id == provider.id,
                ProviderUser.role == ProviderUserRole.ADMIN,
                ProviderUser.active,
                ProviderUser.id != user.id,
            )
        )
        or 0
    )


def is_last_admin(session: Session, user: ProviderUser) -> bool:
    """Whether ``user`` is the only active admin of their setting."""
    if user.role is not ProviderUserRole.ADMIN or not user.active:
        return False
    return _other_admins(session, user.provider, user) == 0


def _last_admin(field: str, detail: str) -> Exception:
    return rule(LAST_ADMIN, "Last admin", detail, errors=[FieldError(field, detail)])


def remove_colleague(session: Session, actor: Actor, user_id: uuid.UUID) -> ProviderUser:
    """An admin removes someone from the team (themselves too, unless they are the last admin):
    the account is switched off and every session of it ends now. Another setting's user, or
    someone already removed, is not found (404); a non-admin is refused (403)."""
    now = utcnow()
    with transaction(session):
        me, provider = _admin(session, actor)
        user = _colleague(session, provider, user_id)
        if user.role is ProviderUserRole.ADMIN and _other_admins(session, provider, user) == 0:
            raise _last_admin(
                "user",
                N_(
                    "You cannot remove yourself because you are the only admin. "
                    "Make a colleague an admin first."
                ),
            )
        user.active = False
        user.sessions_valid_from = now
        audit.record(
            session,
            "provider_user.removed",
            user,
            actor,
            {"email": user.email, "role": user.role, "themselves": user.id == me.id},
        )
    return user


def change_role(session: Session, actor: Actor, user_id: uuid.UUID, role: ProviderUserRole) -> ProviderUser:
    """An admin makes a colleague an admin or staff; the last admin cannot make themselves staff.
    The same role again changes nothing and records nothing."""
    with transaction(session):
        _me, provider = _admin(session, actor)
        user = _colleague(session, provider, user_id)
        if user.role is role:
            return user
        if (
            user.role is ProviderUserRole.ADMIN
            and role is not ProviderUserRole.ADMIN
            and _other_admins(session, provider, user) == 0
        ):
            raise _last_admin(
                "role",
                N_(
                    "You cannot make yourself staff because you are the only admin. "
                    "Make a colleague an admin first."
                ),
            )
        before, user.role = user.role, role
        audit.record(session, "provider_user.role_changed", user, actor, {"from": before, "to": role})
    return user


def _pending(session: Session, provider: Provider, invitation_id: uuid.UUID) -> ProviderInvitation:
    invitation = session.get(ProviderInvitation, invitation_id, with_for_update=True, populate_existing=True)
    if (
        invitation is None
        or invitation.provider_id != provider.id
        or invitation.accepted_at is not None
        or invitation.cancelled_at is not None
    ):
        raise NotFound("No such invitation waiting to be accepted")
    return invitation


def resend_invitation(
    session: Session, actor: Actor, invitation_id: uuid.UUID, *, link_base: str
) -> ProviderInvitation:
    """Email the invitation again with a new link, good for another 7 days (the old link stops
    working: only a hash of each link is kept, so the old one cannot be sent again). An expired
    invitation can be resent too."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with transaction(session):
        me, provider = _admin(session, actor)
        invitation = _pending(session, provider, invitation_id)
        invitation.token_hash = _token_hash(token)
        invitation.expires_at = now + INVITATION_LIFETIME
        invitation.times_sent += 1
        audit.record(
            session,
            "provider_user.invitation_resent",
            invitation,
            actor,
            {"email": invitation.email, "times_sent": invitation.times_sent},
        )
        notify.queue_email(
            session,
            to=invitation.email,
            template="provider_invitation",
            reference=f"invitation-{invitation.id}-{invitation.times_sent}",
            inviter=me.name,
            provider=provider.name,
            link=f"{link_base}/{token}",
        )
    return invitation


def cancel_invitation(session: Session, actor: Actor, invitation_id: uuid.UUID) -> ProviderInvitation:
    """The invitation's link stops working now."""
    with transaction(session):
        _me, provider = _admin(session, actor)
        invitation = _pending(session, provider, invitation_id)
        invitation.cancelled_at = utcnow()
        audit.record(
            session, "provider_user.invitation_cancelled", invitation, actor, {"email": invitation.email}
        )
    return invitation


def members(session: Session, actor: Actor) -> Sequence[ProviderUser]:
    """The setting's team as it is now (removed colleagues left out), by name."""
    provider_id = actor.require_provider()
    return session.scalars(
        select(ProviderUser)
        .where(ProviderUser.provider_id == provider_id, ProviderUser.active)
        .order_by(ProviderUser.name)
    ).all()


def waiting_invitations(session: Session, actor: Actor) -> Sequence[ProviderInvitation]:
    """Invitations not accepted or cancelled, expired ones included (they can be sent again)."""
    provider_id = actor.require_provider()
    return session.scalars(
        select(ProviderInvitation)
        .where(
            ProviderInvitation.provider_id == provider_id,
            ProviderInvitation.accepted_at.is_(None),
            ProviderInvitation.cancelled_at.is_(None),
        )
        .order_by(ProviderInvitation.created_at)
    ).all()


def get_colleague(session: Session, actor: Actor, user_id: uuid.UUID) -> ProviderUser:
    """A current member of the actor's team (404 for anyone else)."""
    user = session.get(ProviderUser, user_id)
    if user is None or user.provider_id != actor.require_provider() or not user.active:
        raise NotFound("No such person in your team")
    return user
