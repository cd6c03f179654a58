"""The words for consents' states, in one place for every page that shows them."""

from __future__ import annotations

from flask_babel import lazy_gettext

from claimants.models import ConsentStatus

CONSENT_STATUS = {
    ConsentStatus.AWAITING_AUTHORISATION: lazy_gettext("Waiting for you"),
    ConsentStatus.AUTHORISED: lazy_gettext("Given"),
    ConsentStatus.REJECTED: lazy_gettext("Declined"),
    ConsentStatus.REVOKED: lazy_gettext("Stopped"),
    ConsentStatus.EXPIRED: lazy_gettext("Expired"),
}
