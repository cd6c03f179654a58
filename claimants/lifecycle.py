"""The consent's life cycle (``config.transitions``), shared by the modules that move consents."""

from __future__ import annotations

from claimants.models import CONSENT_TRANSITIONS, Consent, ConsentStatus
from config import transitions
from providers import webhooks


def _consent_payload(consent: Consent, target: ConsentStatus) -> dict[str, object]:
    return {"consent_id": consent.id, "child_id": consent.child_id, "status": target.value}


# Nursery software hears when a consent starts and when the parent stops it (API.md "Webhooks out").
CONSENT = transitions.machine(
    name="consent",
    noun="consent",
    table=Consent.__tablename__,
    allowed=CONSENT_TRANSITIONS,
    states=ConsentStatus,
    events={ConsentStatus.AUTHORISED: "consent.authorised", ConsentStatus.REVOKED: "consent.revoked"},
    payload=_consent_payload,
    queue=webhooks.queue_events,
)
