"""A nursery sends a consent request again, to a parent who has not answered it yet."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from claimants import repository
from claimants.models import Consent, ConsentStatus
from config import audit, notify, settings
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import TooManyRequests, Words, rule
from config.formatting import moment
from providers import repository as providers_repository

# A parent is emailed about one request at most once a day, however often the button is pressed.
RESEND_AFTER = timedelta(days=1)
_SENT = ("consent.requested", "consent.request_resent")


def last_sent(session: Session, consent: Consent) -> datetime | None:
    """When the request was last emailed (asked for, or sent again)."""
    times = [e.occurred_at for e in audit.events_for(session, "consents", consent.id) if e.action in _SENT]
    return max(times) if times else None


def can_resend_from(session: Session, consent: Consent) -> datetime | None:
    """When the request may be sent again; None when it cannot be (it is not waiting by email)."""
    if consent.status is not ConsentStatus.AWAITING_AUTHORISATION or not consent.requested_email:
        return None
    sent = last_sent(session, consent)
    return sent + RESEND_AFTER if sent else utcnow()


def resend_consent_request(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    """Email the request again, with the same link. Only a request of this provider's still
    waiting for the parent (else 422 ``consent_not_waiting``), and only a day after it was last
    sent (else 429, saying from when)."""
    provider_id = actor.require_provider()
    now = utcnow()
    with transaction(session):
        consent = repository.consent_of_provider(session, provider_id, consent_id)
        from_when = can_resend_from(session, consent)
        if from_when is None:
            raise rule(
                "consent_not_waiting",
                "Consent request not waiting",
                "The parent has already answered this request, so it cannot be sent again",
            )
        if from_when > now:
            raise TooManyRequests(
                Words(
                    "You sent this request in the last day. You can send it again from %(when)s",
                    when=moment(from_when),
                ),
                retry_after=int((from_when - now).total_seconds()) + 1,
            )
        audit.record(session, "consent.request_resent", consent, actor, {"to": consent.requested_email})
        notify.queue_email(
            session,
            to=consent.requested_email or "",
            template="consent_request",
            reference=f"consent-{consent.id}-again-{int(now.timestamp())}",
            provider=providers_repository.get_provider(session, provider_id).name,
            child=consent.child.first_name if consent.child else (consent.requested_child_first_name or ""),
            link=f"{settings.current().base_url.rstrip('/')}/account/consents/{consent.id}/respond",
        )
    return consent
