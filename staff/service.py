"""Signing DWP staff in: their account and roles follow what the identity provider vouches for."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor, StaffRole
from config.database import transaction
from config.errors import Forbidden
from staff import repository
from staff.models import StaffUser


def sign_in_staff(db: Session, *, subject: str, email: str, name: str, roles: list[str]) -> StaffUser:
    """Find or create the staff member the identity provider vouches for; roles follow its claims.

    Refused (``Forbidden``) when the claims give no role this service knows.
    """
    known = sorted({role for role in roles if role in set(StaffRole)})
    if not known:
        raise Forbidden("Your account has no role in Childcare Direct. Ask your manager for access.")
    with transaction(db):
        user = repository.find_by_subject(db, subject)
        if user is None:
            user = repository.find_by_email(db, email)
        if user is None:
            user = StaffUser(
                id=uuid.uuid4(), email=email.lower(), name=name or email, roles=known, oidc_subject=subject
            )
            db.add(user)
            audit.record(db, "staff.created", user, user_actor(user, known), {"roles": known})
        elif not user.active:
            raise Forbidden("Your account has been switched off. Ask your manager for access.")
        elif sorted(user.roles) != known or user.oidc_subject != subject:
            audit.record(
                db, "staff.roles_changed", user, user_actor(user, known), {"from": user.roles, "to": known}
            )
            user.roles, user.oidc_subject = known, subject
        audit.record(db, "staff.signed_in", user, user_actor(user, known))
    return user


def user_actor(user: StaffUser, roles: list[str]) -> Actor:
    return Actor(
        kind=user.as_actor().kind, id=user.id, label=user.name, roles=frozenset(StaffRole(r) for r in roles)
    )
