"""A consent near and after its end, and a request answered from another sign-in.

The parent is warned 30 and 7 days before a consent ends (each warning once, on the home page
and by email), renews it in the service when it is near its end or has ended, and is told when
it ends. A request emailed to one address can be claimed by the parent who opens its link
signed in with another, once they have checked whose child it is for.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from claimants import messages, repository
from claimants.lifecycle import CONSENT
from claimants.models import Consent, ConsentStatus
from claimants.rules import ENDING_WARNINGS, RENEW_WITHIN, ending_warnings_due, renewable
from config import audit, settings, transitions
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import DomainError, NotFound, Words, rule
from config.formatting import day, last_day


def _own_consent(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    consent = repository.get_consent(session, consent_id, for_update=True)
    if consent.parent_id != actor.require_parent():
        raise NotFound("No consent with that id")
    return consent


def _already() -> DomainError:
    return rule(
        "consent_exists", "Consent already given", "This provider already has your consent for this child"
    )


def reconfirm_consent(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    """Renew a consent for another full term, without a new consent flow: one that has ended, or
    one ending within ``RENEW_WITHIN`` (renewing a minute after consenting would change nothing)."""
    now = utcnow()
    with transaction(session, {"uq_consents_live_per_provider_child": _already}):
        consent = _own_consent(session, actor, consent_id)
        if not renewable(consent.status.value, consent.expires_at, now):
            if consent.status is ConsentStatus.AUTHORISED and consent.expires_at is not None:
                raise rule(
                    "consent_not_due_for_renewal",
                    "It is too early to renew this consent",
                    Words(
                        "You can renew this consent from %(date)s",
                        date=day(consent.expires_at - RENEW_WITHIN),
                    ),
                )
            raise rule(
                "consent_not_renewable",
                "This consent cannot be renewed",
                "Only a consent you gave can be renewed",
            )
        ended = consent.status is ConsentStatus.EXPIRED
        consent.reconfirm(now, now + timedelta(days=settings.current().consent_validity_days))
        if ended:
            transitions.move(
                session, CONSENT, consent, ConsentStatus.AUTHORISED, actor, expires_at=consent.expires_at
            )
        else:
            audit.record(session, "consent.reconfirmed", consent, actor, {"expires_at": consent.expires_at})
        messages.tell_parent(
            session,
            consent,
            "consent_given",
            step=f"renewed-{now:%Y%m%d%H%M%S}",
            until=last_day(consent.expires_at),
        )
    return consent


def warn_ending_consents(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """Scheduled: email each parent whose consent ends within 30 days, then within 7.

    Each warning is sent once for an end date (counted on the consent; renewing starts again);
    a consent first seen inside 7 days gets the 7-day warning only. Safe to run twice.
    """
    now = now or utcnow()
    sent = 0
    with transaction(session):
        for consent in repository.list_ending(session, now, now + ENDING_WARNINGS[0]):
            due = ending_warnings_due(consent.expires_at, now)  # type: ignore[arg-type]  # live: has one
            if due <= consent.ending_warnings_sent:
                continue
            consent.ending_warnings_sent = due
            days = ENDING_WARNINGS[due - 1].days
            messages.tell_parent(
                session,
                consent,
                "consent_ending",
                step=f"ending-{days}",
                ends=last_day(consent.expires_at),
            )
            audit.record(
                session,
                "consent.ending_warning_sent",
                consent,
                actor,
                {"days": days, "expires_at": consent.expires_at},
            )
            sent += 1
    return sent


def expire_consents(session: Session, actor: Actor, now: datetime | None = None) -> int:
    """Scheduled: authorised consents past their expiry become ``expired`` and their parents are
    told. Safe to run twice."""
    now = now or utcnow()
    with transaction(session):
        expired = repository.list_expiring(session, now)
        for consent in expired:
            transitions.move(session, CONSENT, consent, ConsentStatus.EXPIRED, actor)
            messages.tell_parent(
                session, consent, "consent_ended", step="ended", ended=last_day(consent.expires_at)
            )
    return len(expired)


def claim_consent_request(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    """A parent signed in with another email address than the request was sent to takes it on, to
    answer it, after checking on the page whose child it is for. Only a request still waiting, and
    only one sent to an address with no account: a request tied to a parent's account is theirs
    (its link is no password for whoever else has a copy of the email)."""
    parent_id = actor.require_parent()
    with transaction(session):
        consent = repository.get_consent(session, consent_id, for_update=True)
        if consent.requested_email is None:
            raise NotFound("No consent with that id")  # opened from nursery software: its parent's own
        if consent.status is not ConsentStatus.AWAITING_AUTHORISATION:
            raise rule(
                "consent_answered", "This request has been answered", "This request has already been answered"
            )
        if consent.parent_id is not None and consent.parent_id != parent_id:
            raise NotFound("No consent with that id")
        if consent.parent_id != parent_id:
            was = consent.parent_id
            consent.parent_id = parent_id
            audit.record(
                session,
                "consent.request_claimed",
                consent,
                actor,
                {"requested_email": consent.requested_email, "from_parent_id": str(was) if was else None},
            )
    return consent
