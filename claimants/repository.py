"""Queries about parents, children and consents. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from claimants.models import AuthorizationCode, Child, Consent, ConsentStatus, Parent
from config.audit import AuditEvent
from config.database import fetch
from config.errors import NotFound
from config.pagination import page


def get_parent(session: Session, parent_id: uuid.UUID) -> Parent:
    parent: Parent = fetch(session, Parent, parent_id, "parent")
    return parent


def find_parent_by_email(session: Session, email: str) -> Parent | None:
    return session.scalars(select(Parent).where(Parent.email == email.strip().lower())).one_or_none()


def get_child_of(session: Session, parent_id: uuid.UUID, child_id: uuid.UUID) -> Child:
    """A child of this parent; another parent's child is simply not found."""
    child = session.scalars(
        select(Child).where(Child.id == child_id, Child.parent_id == parent_id)
    ).one_or_none()
    if child is None:
        raise NotFound("No child with that id")
    return child


def get_consent(session: Session, consent_id: uuid.UUID, *, for_update: bool = False) -> Consent:
    consent: Consent = fetch(session, Consent, consent_id, "consent", for_update=for_update)
    return consent


def list_consents_for_parent(session: Session, parent_id: uuid.UUID) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent).where(Consent.parent_id == parent_id).order_by(Consent.created_at.desc())
        )
    )


def list_expiring(session: Session, before: datetime) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent).where(Consent.status == ConsentStatus.AUTHORISED, Consent.expires_at <= before)
        )
    )


def list_ending(session: Session, after: datetime, before: datetime) -> list[Consent]:
    """Authorised consents ending after ``after`` and by ``before``, with a warning still to send."""
    return list(
        session.scalars(
            select(Consent).where(
                Consent.status == ConsentStatus.AUTHORISED,
                Consent.expires_at > after,
                Consent.expires_at <= before,
                Consent.ending_warnings_sent < 2,
            )
        )
    )


def list_unclaimed_requests(session: Session, email: str) -> list[Consent]:
    return list(
        session.scalars(
            select(Consent).where(
                Consent.requested_email == email,
                Consent.parent_id.is_(None),
                Consent.status == ConsentStatus.AWAITING_AUTHORISATION,
            )
        )
    )


def find_parent_by_subject(session: Session, subject: str) -> Parent | None:
    return session.scalars(select(Parent).where(Parent.oidc_subject == subject)).one_or_none()


def list_children(session: Session, parent_id: uuid.UUID) -> list[Child]:
    return list(session.scalars(select(Child).where(Child.parent_id == parent_id).order_by(Child.created_at)))


def usable_code(
    session: Session, code_hash: str, api_client_id: uuid.UUID, now: datetime
) -> AuthorizationCode | None:
    """An authorization code issued to this client, not yet spent and not expired."""
    return session.scalars(
        select(AuthorizationCode).where(
            AuthorizationCode.code_hash == code_hash,
            AuthorizationCode.api_client_id == api_client_id,
            AuthorizationCode.used_at.is_(None),
            AuthorizationCode.expires_at > now,
        )
    ).one_or_none()


def live_consent_for(session: Session, provider_id: uuid.UUID, child_id: uuid.UUID) -> Consent | None:
    return session.scalars(
        select(Consent).where(
            Consent.provider_id == provider_id,
            Consent.child_id == child_id,
            Consent.status == ConsentStatus.AUTHORISED,
        )
    ).one_or_none()


def list_consents_for_provider(session: Session, provider_id: uuid.UUID) -> list[Consent]:
    """A provider's consents with their children loaded (one query for the page, not one per row)."""
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.provider_id == provider_id)
            .options(selectinload(Consent.child))
            .order_by(Consent.created_at.desc())
        )
    )


def live_consents_of_provider(
    session: Session, provider_id: uuid.UUID, at: datetime
) -> list[tuple[Consent, Child]]:
    """The provider's consents live at ``at``, each with its child, by the child's name."""
    rows = session.execute(
        select(Consent, Child)
        .join(Child, Child.id == Consent.child_id)
        .where(
            Consent.provider_id == provider_id,
            Consent.status == ConsentStatus.AUTHORISED,
            Consent.expires_at > at,
        )
        .order_by(Child.first_name, Child.last_name)
    )
    return [(consent, child) for consent, child in rows]


def find_consent(session: Session, consent_id: uuid.UUID) -> Consent | None:
    return session.get(Consent, consent_id)


def find_parent(session: Session, parent_id: uuid.UUID) -> Parent | None:
    return session.get(Parent, parent_id)


def consent_of_parent(session: Session, parent_id: uuid.UUID, consent_id: uuid.UUID) -> Consent:
    """One of the parent's own consents; another parent's is simply not found."""
    consent: Consent = fetch(session, Consent, consent_id, "consent", owned_by={"parent_id": parent_id})
    return consent


def consent_of_provider(session: Session, provider_id: uuid.UUID | None, consent_id: uuid.UUID) -> Consent:
    """A consent granted to this provider; another provider's is simply not found."""
    consent: Consent = fetch(session, Consent, consent_id, "consent", owned_by={"provider_id": provider_id})
    return consent


def consents_of_provider_page(
    session: Session,
    provider_id: uuid.UUID | None,
    status: ConsentStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[Consent], str | None]:
    """A page of the consents granted to this provider, newest first, in one state or any."""
    query = select(Consent).where(Consent.provider_id == provider_id)
    if status is not None:
        query = query.where(Consent.status == status)
    return page(session, query, Consent.created_at, Consent.id, limit, cursor)


def parents_with_subject(session: Session) -> list[Parent]:
    """Parents who have signed in through an identity provider, by name."""
    return list(session.scalars(select(Parent).where(Parent.oidc_subject.is_not(None)).order_by(Parent.name)))


# --- the nursery's consents page and home page: one meaning for each filter -------------------

ENDING_SOON_DAYS = 30
NURSERY_FILTERS = ("waiting", "given", "ending", "ended", "declined")


def _nursery_filter(provider_id: uuid.UUID | None, show: str | None, now: datetime) -> Any:
    """``show``: ``waiting`` (asked, no answer yet), ``given`` (live), ``ending`` (live, ends within
    30 days), ``ended`` (stopped or expired, and no live consent for that child since), ``declined``."""
    query = select(Consent).where(Consent.provider_id == provider_id)
    if show == "waiting":
        return query.where(Consent.status == ConsentStatus.AWAITING_AUTHORISATION)
    if show == "declined":
        return query.where(Consent.status == ConsentStatus.REJECTED)
    live = query.where(Consent.status == ConsentStatus.AUTHORISED, Consent.expires_at > now)
    if show == "given":
        return live
    if show == "ending":
        return live.where(Consent.expires_at <= now + timedelta(days=ENDING_SOON_DAYS))
    if show == "ended":
        still_live = select(Consent.child_id).where(
            Consent.provider_id == provider_id,
            Consent.child_id.is_not(None),
            Consent.status.in_((ConsentStatus.AUTHORISED, ConsentStatus.AWAITING_AUTHORISATION)),
        )
        return query.where(
            Consent.status.in_((ConsentStatus.REVOKED, ConsentStatus.EXPIRED)),
            Consent.child_id.not_in(still_live),
        )
    return query


def consents_for_nursery(
    session: Session, provider_id: uuid.UUID | None, show: str | None, now: datetime
) -> list[Consent]:
    """The provider's consents that ``show`` picks (``_nursery_filter``; any other value: all),
    newest first, with their children."""
    query = _nursery_filter(provider_id, show, now)
    if show == "ending":
        query = query.order_by(Consent.expires_at)
    else:
        query = query.order_by(Consent.created_at.desc())
    return list(session.scalars(query.options(selectinload(Consent.child))))


def nursery_consent_counts(session: Session, provider_id: uuid.UUID | None, now: datetime) -> dict[str, int]:
    """How many consents each of ``waiting``, ``ending`` and ``ended`` picks, for the home page."""
    counts = {}
    for show in ("waiting", "ending", "ended"):
        # A child whose consents ended twice is one child with no consent.
        column = Consent.child_id if show == "ended" else Consent.id
        inner = _nursery_filter(provider_id, show, now).with_only_columns(column).distinct().subquery()
        counts[show] = int(session.scalar(select(func.count()).select_from(inner)) or 0)
    return counts


def last_changed_by(session: Session, consent_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, AuditEvent]:
    """Each consent's latest change a parent made (on a joint claim, either partner), to name them."""
    if not consent_ids:
        return {}
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_type == "consents",
            AuditEvent.entity_id.in_([str(i) for i in consent_ids]),
            AuditEvent.actor_kind == "parent",
        )
        .order_by(AuditEvent.seq)
    )
    return {uuid.UUID(event.entity_id): event for event in events}


def partners_of(session: Session, lead_id: uuid.UUID) -> list[Parent]:
    """The partners who joined the lead's joint claim."""
    return list(session.scalars(select(Parent).where(Parent.partner_of_id == lead_id).order_by(Parent.name)))
