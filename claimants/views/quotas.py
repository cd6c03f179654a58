"""The quota of consent requests: per provider per hour and per parent email address.

Each request emails a parent, so an unbounded stream of them is a way to spam people in DWP's
name. Counted at the two doors (the API and the portal's ask page), not in the use case: the
test builders and the demo seed make consents by the hundred.
"""

from __future__ import annotations

import uuid

from config import settings
from config.errors import N_
from config.limits import take_quota

TOO_MANY = N_("You have sent too many consent requests. Try again later.")


def take_consent_request(provider_id: uuid.UUID, parent_email: str) -> None:
    """Count one consent request, or raise ``TooManyRequests`` (429 with Retry-After)."""
    current = settings.current()
    take_quota(
        "consent-requests",
        [
            (f"provider:{provider_id}", current.rate_limit_consent_requests_provider),
            (f"parent:{parent_email.strip().lower()}", current.rate_limit_consent_requests_parent),
        ],
        TOO_MANY,
    )
