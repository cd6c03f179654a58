"""Signing DWP staff in: their account and roles follow what the identity provider vouches for.

A person is their identity provider's subject, and only that: an email address is not an
identity (a mailbox can be reissued, and a directory can be made to send any address), so a new
subject never takes over the account of someone else whose email it carries. Every refusal is
written to the audit log in a transaction of its own, committed before the refusal is raised,
so it survives the rollback of the sign-in it refuses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from config import audit
from config.auth import (
    INCOMPATIBLE_ROLES_MESSAGE,
    Actor,
    ActorKind,
    StaffRole,
    holds_incompatible_roles,
)
from config.database import transaction
from config.errors import Forbidden
from staff import repository
from staff.models import StaffUser

# A fixed namespace so a refused subject always names the same entity in the audit log.
_SIGN_IN_NAMESPACE = uuid.UUID("6f1d3a52-4d5e-4c8f-9b51-0c7c3e9f2a11")
EMAIL_HELD_MESSAGE = (
    "A Childcare Direct account already uses this email address with a different sign-in. "
    "Ask your manager to move that account to your new sign-in, or to close it."
)


@dataclass(frozen=True)
class SignInAttempt:
    """Someone the identity provider vouched for who has no account here (an audit entity)."""

    id: uuid.UUID
    __tablename__ = "staff_sign_in"


def _attempt(subject: str) -> SignInAttempt:
    return SignInAttempt(uuid.uuid5(_SIGN_IN_NAMESPACE, subject))


def _refuse(
    db: Session, entity: Any, who: Actor, reason: str, detail: str, data: dict[str, Any]
) -> Forbidden:
    """Commit a ``staff.sign_in_refused`` event, then hand back the error to raise."""
    db.rollback()  # nothing of the refused sign-in is kept, only its record
    with transaction(db):
        audit.record(db, "staff.sign_in_refused", entity, who, {"reason": reason, **data})
    return Forbidden(detail)


def sign_in_staff(db: Session, *, subject: str, email: str, name: str, roles: list[str]) -> StaffUser:
    """Find (by subject) or create the staff member the identity provider vouches for; roles follow
    its claims, every change audited.

    Refused (``Forbidden``, with a ``staff.sign_in_refused`` event that is kept): no role this
    service knows; both the finance officer's and the approver's role; an account switched off;
    a new subject whose email address another account already has.
    """
    known = sorted({role for role in roles if role in set(StaffRole)})
    claimed = {"subject": subject, "email": email.lower(), "roles": known}
    user = repository.find_by_subject(db, subject)
    entity: Any = user if user is not None else _attempt(subject)
    who = user_actor(user, known) if user is not None else _outsider(name or email)
    if not known:
        raise _refuse(
            db,
            entity,
            who,
            "no_role",
            "Your account has no role in Childcare Direct. Ask your manager for access.",
            claimed,
        )
    if holds_incompatible_roles({StaffRole(role) for role in known}):
        raise _refuse(db, entity, who, "finance_officer_and_approver", INCOMPATIBLE_ROLES_MESSAGE, claimed)
    if user is None:
        holder = repository.find_by_email(db, email)
        if holder is not None:
            # Never the old account: its roles and history are another person's until DWP says not.
            raise _refuse(db, holder, who, "email_held_by_another_sign_in", EMAIL_HELD_MESSAGE, claimed)
        return _create(db, subject=subject, email=email, name=name, roles=known)
    if not user.active:
        raise _refuse(
            db,
            user,
            who,
            "switched_off",
            "Your account has been switched off. Ask your manager for access.",
            claimed,
        )
    with transaction(db):
        if sorted(user.roles) != known:
            audit.record(
                db, "staff.roles_changed", user, user_actor(user, known), {"from": user.roles, "to": known}
            )
            user.roles = known
        audit.record(db, "staff.signed_in", user, user_actor(user, known))
    return user


def _create(db: Session, *, subject: str, email: str, name: str, roles: list[str]) -> StaffUser:
    """A first sign-in: a new account for this subject (a race on the same email is refused)."""
    with transaction(db, {"email": lambda: Forbidden(EMAIL_HELD_MESSAGE)}):
        user = StaffUser(
            id=uuid.uuid4(), email=email.lower(), name=name or email, roles=roles, oidc_subject=subject
        )
        db.add(user)
        audit.record(db, "staff.created", user, user_actor(user, roles), {"roles": roles})
        audit.record(db, "staff.signed_in", user, user_actor(user, roles))
    return user


def _outsider(label: str) -> Actor:
    return Actor(kind=ActorKind.STAFF, id=None, label=label[:200] or "unknown")


def user_actor(user: StaffUser, roles: list[str]) -> Actor:
    return Actor(
        kind=user.as_actor().kind, id=user.id, label=user.name, roles=frozenset(StaffRole(r) for r in roles)
    )
