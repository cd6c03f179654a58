"""A parent's sign-in: the identity provider's person, registered on first sign-in, named as it says."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from sqlalchemy.orm import Session

from claimants import repository
from claimants.models import Parent
from claimants.partners import household_id
from config import audit
from config.auth import Actor, ActorKind
from config.database import transaction
from config.errors import N_, DomainError, rule


def name_from_claims(claims: Mapping[str, object]) -> str:
    """The person's name as their identity provider gives it: ``name``, else given and family names."""
    name = str(claims.get("name") or "").strip()
    if name:
        return name
    parts = (str(claims.get(key) or "").strip() for key in ("given_name", "family_name"))
    return " ".join(part for part in parts if part)


def parent_actor(parent: Parent) -> Actor:
    """The signed-in parent: ``id`` and ``label`` are the person (audit events name who acted),
    ``parent_id`` the household whose records they work on (their lead's, on a joint claim)."""
    return Actor(kind=ActorKind.PARENT, id=parent.id, label=parent.name, parent_id=household_id(parent))


def register_parent(session: Session, *, name: str, email: str, oidc_subject: str | None) -> Parent:
    """A parent's first sign-in creates their record; the claim is linked afterwards."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise rule(
            "email_missing",
            "There is a problem: we could not sign you in",
            "Your sign-in did not give us an email address. Try again, or contact DWP.",
        )
    with transaction(session, {"email": _email_in_use}):
        parent = Parent(id=uuid.uuid4(), name=name.strip(), email=email, oidc_subject=oidc_subject)
        session.add(parent)
        # Consent requests sent to this email address before the parent had an account.
        for consent in repository.list_unclaimed_requests(session, email):
            consent.parent_id = parent.id
        audit.record(session, "parent.registered", parent, parent_actor(parent))
    return parent


EMAIL_IN_USE_MESSAGE = N_(
    "Another Childcare Direct account already uses this email address, with a different GOV.UK "
    "One Login. Sign in with the One Login you used before, or contact DWP to have the accounts "
    "looked at."
)


def _email_in_use() -> DomainError:
    return rule("email_in_use", "There is a problem: we could not sign you in", EMAIL_IN_USE_MESSAGE)


def sign_in_parent(session: Session, *, subject: str, email: str, name: str) -> Parent:
    """The parent their identity provider vouches for (by its stable subject); new ones are registered.

    The name shown on their pages is the one the identity provider gives (``name_from_claims``),
    kept up to date at each sign-in; with none, their email address.

    Matching is by subject only, never by email alone, so an email address someone else can
    claim never opens another person's account. A new subject whose email address another
    parent's account already has is refused (``email_in_use``), never merged with it: the
    refusal is recorded on that account in a transaction of its own, kept although sign-in fails.
    """
    parent = repository.find_parent_by_subject(session, subject)
    if parent is not None:
        with transaction(session):
            renamed = bool(name.strip()) and name.strip() != parent.name
            if renamed:  # the identity provider's name is the one we show
                parent.name = name.strip()[:200]
            audit.record(session, "parent.signed_in", parent, parent_actor(parent), {"renamed": renamed})
        return parent
    holder = repository.find_parent_by_email(session, email) if email.strip() else None
    if holder is not None:
        _record_refusal(session, holder)
        raise _email_in_use()
    try:
        return register_parent(session, name=name or email, email=email, oidc_subject=subject)
    except DomainError as error:
        if error.code != "email_in_use":
            raise
        # Another sign-in took the address between our look-up and our insert.
        holder = repository.find_parent_by_email(session, email)
        if holder is not None:
            _record_refusal(session, holder)
        raise


def _record_refusal(session: Session, holder: Parent) -> None:
    """Commit the refusal's audit event before the refusal is raised (it must survive it)."""
    with transaction(session):
        audit.record(
            session,
            "parent.sign_in_refused",
            holder,
            Actor(kind=ActorKind.PARENT, id=None, label="someone signing in"),
            {"reason": "email_held_by_another_sign_in"},
        )
