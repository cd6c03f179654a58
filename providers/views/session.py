"""Who is signed in to the nursery portal, and the decorator every portal page uses.

A session names the user and when they signed in; it stops counting when they sign out, when
they sign out everywhere (sessions from before then end), or when their account is switched off.
Anyone who has not set up their second factor (admins and staff alike) is sent to do that first.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for

from config import language
from config.errors import Forbidden
from config.extensions import request_session
from providers import preferences, repository
from providers.accounts import session_still_valid, user_actor
from providers.models import ProviderUser, ProviderUserRole

USER_KEY = "provider_user_id"
SIGNED_IN_AT = "provider_signed_in_at"
PENDING_KEY = "provider_pending_user_id"  # password right, security code still to come


def remember(user: ProviderUser) -> None:
    chosen = language.carried_over()
    session.clear()  # a new session on sign-in: nothing carried over from before but the language
    session[USER_KEY] = str(user.id)
    session[SIGNED_IN_AT] = time.time()
    language.keep_after_sign_in(chosen, user.language)
    if chosen is not None and chosen != user.language:
        preferences.set_language(request_session(), user_actor(user), chosen)


def current_provider_user() -> ProviderUser | None:
    user_id = session.get(USER_KEY)
    if not user_id:
        return None
    user = repository.find_user(request_session(), uuid.UUID(user_id))
    if user is None or not session_still_valid(user, float(session.get(SIGNED_IN_AT, 0))):
        session.pop(USER_KEY, None)
        return None
    return user


def provider_required(*, admin: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The view needs a signed-in provider user (an admin, if ``admin``); sets ``g.actor``."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_provider_user()
            if user is None:
                return redirect(url_for("providers_nursery.sign_in", next=request.path))
            if user.needs_second_factor_setup and request.endpoint != "providers_nursery.set_up_code":
                return redirect(url_for("providers_nursery.set_up_code"))
            if admin and user.role is not ProviderUserRole.ADMIN:
                raise Forbidden("Only an admin for your setting can do this")
            g.provider_user = user
            g.actor = user_actor(user)
            chosen = language.chosen_now()
            if chosen is not None and chosen != user.language:
                preferences.set_language(
                    request_session(), g.actor, chosen
                )  # for their next visit and emails
            return view(*args, **kwargs)

        wrapper.required_provider_role = "admin" if admin else "any"  # type: ignore[attr-defined]
        return wrapper

    return decorate
