"""The words for consents' states, in one place for every page that shows them."""

from __future__ import annotations

from flask_babel import lazy_gettext

from claimants.models import ConsentStatus
from config import words

CONSENT_STATUS = {
    ConsentStatus.AWAITING_AUTHORISATION: lazy_gettext("Waiting for you"),
    ConsentStatus.AUTHORISED: lazy_gettext("Given"),
    ConsentStatus.REJECTED: lazy_gettext("Declined"),
    ConsentStatus.REVOKED: lazy_gettext("Stopped"),
    ConsentStatus.EXPIRED: lazy_gettext("Expired"),
}

# The nursery's words for a consent's state: the parent is "you" only on the parent's pages.
NURSERY_CONSENT_STATUS = {
    ConsentStatus.AWAITING_AUTHORISATION: lazy_gettext("Waiting for the parent"),
    ConsentStatus.AUTHORISED: lazy_gettext("Given"),
    ConsentStatus.REJECTED: lazy_gettext("Declined by the parent"),
    ConsentStatus.REVOKED: lazy_gettext("Stopped by the parent"),
    ConsentStatus.EXPIRED: lazy_gettext("Ended"),
}

# What happened, in DWP's words, for every audit event claimants record (staff pages, audit log).
STAFF_EVENTS = {
    "consent.requested": lazy_gettext("Consent asked for"),
    "consent.awaiting_authorisation": lazy_gettext("Consent waiting for the parent"),
    "consent.authorised": lazy_gettext("Consent given"),
    "consent.rejected": lazy_gettext("Consent declined"),
    "consent.revoked": lazy_gettext("Consent stopped"),
    "consent.expired": lazy_gettext("Consent ended"),
    "consent.reconfirmed": lazy_gettext("Consent renewed"),
    "consent.request_resent": lazy_gettext("Consent request sent again"),
    "consent.ending_warning_sent": lazy_gettext("Parent warned the consent ends soon"),
    "consent.request_claimed": lazy_gettext("Request taken on by a parent signed in with another email"),
    "parent.registered": lazy_gettext("Parent registered"),
    "parent.language_set": lazy_gettext("Parent chose a language"),
    "parent.signed_in": lazy_gettext("Parent signed in"),
    "parent.sign_in_refused": lazy_gettext("Parent sign-in refused"),
    "parent.claim_linked": lazy_gettext("Universal Credit claim linked"),
    "parent.partner_invited": lazy_gettext("Partner invited to the joint claim"),
    "parent.partner_joined": lazy_gettext("Partner joined the joint claim"),
    "parent.partner_join_refused": lazy_gettext("Partner’s joining refused"),
    "parent.partner_link_ended": lazy_gettext("Partner no longer shares the claim"),
    "parent.council_sharing_agreed": lazy_gettext("Parent agreed to share with their council"),
    "parent.council_sharing_withdrawn": lazy_gettext("Parent stopped sharing with their council"),
    "staff.council_export_downloaded": lazy_gettext("Council export downloaded"),
    "child.added": lazy_gettext("Child added"),
    "oauth.code_issued": lazy_gettext("Authorisation code issued"),
    "oauth.code_spent": lazy_gettext("Authorisation code used"),
    "oauth.code_reused": lazy_gettext("Authorisation code used twice: tokens revoked"),
    "oauth.token_issued": lazy_gettext("Access token issued"),
    "oauth.token_revoked": lazy_gettext("Access token revoked"),
}

words.register("consent_status_parent", CONSENT_STATUS)
words.register("consent_status_nursery", NURSERY_CONSENT_STATUS)
words.register("event", STAFF_EVENTS)
