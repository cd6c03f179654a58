"""The words for providers' states and regulators, for DWP's pages."""

from __future__ import annotations

from flask_babel import lazy_gettext

from config import words
from providers.models import ProviderStatus, Regulator

PROVIDER_STATUS = {
    ProviderStatus.PENDING_VERIFICATION: lazy_gettext("Waiting for verification"),
    ProviderStatus.ACTIVE: lazy_gettext("Verified"),
}

PROVIDER_STATUS_TAG = {
    ProviderStatus.PENDING_VERIFICATION: "yellow",
    ProviderStatus.ACTIVE: "green",
}

REGULATORS = {
    Regulator.OFSTED: lazy_gettext("Ofsted"),
    Regulator.CARE_INSPECTORATE_WALES: lazy_gettext("Care Inspectorate Wales"),
    Regulator.CARE_INSPECTORATE_SCOTLAND: lazy_gettext("Care Inspectorate (Scotland)"),
    Regulator.APPROVED_SCHEME: lazy_gettext("Approved childcare scheme"),
}

# What happened, in DWP's words, for every audit event providers record (staff history, audit log).
STAFF_EVENTS = {
    "provider.registered": lazy_gettext("Registered"),
    "provider.checked": lazy_gettext("Registration checked"),
    "provider.local_authority_set": lazy_gettext("Local authority recorded"),
    "provider.pending_verification": lazy_gettext("Waiting for verification"),
    "provider.verified": lazy_gettext("Verified"),
    "provider.payee_changed": lazy_gettext("Payment details changed"),
    "provider.payee_released": lazy_gettext("New payment details released"),
    "provider_sign_in.failed": lazy_gettext("Failed sign-in to an unknown account"),
    "provider_sign_in.locked": lazy_gettext("Sign-in locked after failed attempts"),
    "provider_user.invited": lazy_gettext("Colleague invited"),
    "provider_user.invitation_resent": lazy_gettext("Invitation sent again"),
    "provider_user.invitation_cancelled": lazy_gettext("Invitation cancelled"),
    "provider_user.joined": lazy_gettext("Colleague joined"),
    "provider_user.removed": lazy_gettext("Colleague removed"),
    "provider_user.role_changed": lazy_gettext("Colleague’s role changed"),
    "provider_user.signed_in": lazy_gettext("Signed in"),
    "provider_user.language_set": lazy_gettext("Chose a language"),
    "provider_user.sign_in_failed": lazy_gettext("Failed sign-in"),
    "provider_user.locked": lazy_gettext("Account locked after failed sign-ins"),
    "provider_user.signed_out_everywhere": lazy_gettext("Signed out on every device"),
    "provider_user.password_set": lazy_gettext("Password set"),
    "provider_user.password_reset_requested": lazy_gettext("Password reset asked for"),
    "provider_user.password_reset": lazy_gettext("Password reset"),
    "provider_user.second_factor_set_up": lazy_gettext("Security code set up"),
    "provider_user.recovery_code_used": lazy_gettext("Recovery code used"),
    "provider_user.recovery_codes_replaced": lazy_gettext("New recovery codes made"),
    "api_client.registered": lazy_gettext("Nursery software connected"),
    "api_client.revoked": lazy_gettext("Nursery software disconnected"),
    "api_client.secret_rotated": lazy_gettext("Nursery software secret replaced"),
    "api_client.secret_shown": lazy_gettext("Nursery software secret shown"),
    "webhook.resend_requested": lazy_gettext("Webhook sent again"),
}

words.register("provider_status", PROVIDER_STATUS)
words.register("regulator", REGULATORS)
words.register("event", STAFF_EVENTS)
