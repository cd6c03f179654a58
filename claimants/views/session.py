"""Who is signed in at /account, and the check every parent page makes."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for

from claimants import preferences, repository, service
from claimants.models import Parent
from config import language
from config.extensions import request_session

SESSION_KEY = "parent_id"


def current_parent() -> Parent | None:
    parent_id = session.get(SESSION_KEY)
    return repository.find_parent(request_session(), uuid.UUID(parent_id)) if parent_id else None


def parent_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        parent = current_parent()
        if parent is None:
            return redirect(url_for("claimants_parent.sign_in", next=request.path))
        g.parent = parent  # the person signed in (their name, email, language)
        # Whose children, consents and invoices the pages show: the lead's, on a joint claim.
        g.household = service.household_of(request_session(), parent)
        g.actor = service.parent_actor(parent)
        chosen = language.chosen_now()
        if chosen is not None and chosen != parent.language:
            # Remembered for their next visit and their emails.
            preferences.set_language(request_session(), g.actor, chosen)
        return view(*args, **kwargs)

    wrapper.required_parent = True  # type: ignore[attr-defined]  # read by the route structure test
    return wrapper


def remember_parent(parent: Parent) -> None:
    chosen = language.carried_over()
    session.clear()  # a new session on sign-in: nothing carried over from before but the language
    session[SESSION_KEY] = str(parent.id)
    language.keep_after_sign_in(chosen, parent.language)
    if chosen is not None and chosen != parent.language:
        preferences.set_language(request_session(), service.parent_actor(parent), chosen)


def forget_parent() -> None:
    session.pop(SESSION_KEY, None)
    if session.get(language.SESSION_KEY):
        session[language.PREVIOUS_KEY] = True  # theirs: never written to the next person's record
