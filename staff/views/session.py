"""Who is signed in at /finance, and the check every finance page makes of their roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from config.auth import StaffRole
from config.extensions import request_session
from staff import repository
from staff.models import StaffUser

SESSION_KEY = "staff_id"


def current_staff() -> StaffUser | None:
    staff_id = session.get(SESSION_KEY)
    if not staff_id:
        return None
    user = repository.find(request_session(), uuid.UUID(staff_id))
    return user if user is not None and user.active else None


def staff_required(*roles: StaffRole) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs a signed-in DWP person holding one of ``roles`` (any role if none given)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_staff()
            if user is None:
                return redirect(url_for("staff_finance.sign_in", next=request.path))
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
