"""Emails to a parent about their consents, queued in the transaction of the change they tell of.

Each names the nursery and the child and links to the parent's consents page; the words are
``config.notify``'s templates.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from claimants.models import Consent, Parent
from config import notify, settings
from providers import repository as providers_repository

CONSENTS_PAGE = "/account/consents"


def _link(path: str) -> str:
    return settings.current().base_url.rstrip("/") + path


def tell_parent(session: Session, consent: Consent, template: str, *, step: str, **extra: object) -> None:
    """Queue ``template`` to the consent's parent (none yet: nobody to tell). ``step`` makes the
    email's reference unique to this change of this consent, so it is queued once."""
    if consent.parent_id is None:
        return
    parent = session.get_one(Parent, consent.parent_id)
    child = consent.child.first_name if consent.child else (consent.requested_child_first_name or "")
    notify.queue_email(
        session,
        to=parent.email,
        template=template,
        reference=f"consent-{step}-{consent.id}",
        provider=providers_repository.get_provider(session, consent.provider_id).name,
        child=child,
        link=_link(CONSENTS_PAGE),
        **extra,
    )
