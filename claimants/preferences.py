"""What a parent chose for themselves: the language of their pages and emails."""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimants import repository
from config import audit
from config.auth import Actor
from config.database import transaction
from config.errors import rule
from config.language import LANGUAGES


def set_language(session: Session, actor: Actor, language: str) -> None:
    """Remember ``language`` (en or cy) for the signed-in parent; audited."""
    if language not in LANGUAGES:
        raise rule("language", "Choose English or Cymraeg", "Choose English or Cymraeg")
    with transaction(session):
        actor.require_parent()
        # The person's own choice, not the household's: a partner has a language of their own.
        parent = repository.get_parent(session, actor.id)  # type: ignore[arg-type]  # a parent has an id
        if parent.language != language:
            was, parent.language = parent.language, language
            audit.record(session, "parent.language_set", parent, actor, {"from": was, "to": language})
