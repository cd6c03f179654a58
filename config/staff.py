"""DWP staff: signed in by their department's identity provider, with roles from its claims."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from config import audit
from config.auth import Actor, StaffRole, StaffUser
from config.database import transaction
from config.errors import Forbidden
from config.extensions import request_session

SESSION_KEY = "staff_id"


def sign_in_staff(db: Session, *, subject: str, email: str, name: str, roles: list[str]) -> StaffUser:
    """Find or create the staff member the identity provider vouches for; roles follow its claims.

    Refused (``Forbidden``) when the claims give no role this service knows.
    """
    known = sorted({role for role in roles if role in set(StaffRole)})
    if not known:
        raise Forbidden("Your account has no role in Childcare Direct. Ask your manager for access.")
    with transaction(db):
        user = db.scalars(select(StaffUser).where(StaffUser.oidc_subject == subject)).one_or_none()
        if user is None:
            user = db.scalars(select(StaffUser).where(StaffUser.email == email.lower())).one_or_none()
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


def current_staff() -> StaffUser | None:
    staff_id = session.get(SESSION_KEY)
    if not staff_id:
        return None
    user = request_session().get(StaffUser, uuid.UUID(staff_id))
    return user if user is not None and user.active else None


def staff_required(*roles: StaffRole) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs a signed-in DWP person holding one of ``roles`` (any role if none given)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_staff()
            if user is None:
                return redirect(url_for("invoicing_finance.sign_in", next=request.path))
            actor = user.as_actor()
            if roles:
                actor.require_role(*roles)
            g.actor = actor
            return view(*args, **kwargs)

        wrapper.required_roles = roles  # type: ignore[attr-defined]  # read by the route structure test
        return wrapper

    return decorate


def remember_staff(user: StaffUser) -> None:
    session.clear()  # a new session on sign-in: nothing carried over from before
    session[SESSION_KEY] = str(user.id)


def forget_staff() -> Response | None:
    session.pop(SESSION_KEY, None)
    return None
