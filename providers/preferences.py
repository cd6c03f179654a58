"""What a nursery user chose for themselves: the language of their pages and emails."""

from __future__ import annotations

from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor
from config.database import transaction
from config.errors import rule
from config.language import LANGUAGES
from providers.models import ProviderUser


def set_language(session: Session, actor: Actor, language: str) -> None:
    """Remember ``language`` (en or cy) for the signed-in nursery user (the actor); audited."""
    actor.require_provider()
    if language not in LANGUAGES:
        raise rule("language", "Choose English or Cymraeg", "Choose English or Cymraeg")
    with transaction(session):
        user = session.get_one(ProviderUser, actor.id)
        if user.language != language:
            was, user.language = user.language, language
            audit.record(session, "provider_user.language_set", user, actor, {"from": was, "to": language})
