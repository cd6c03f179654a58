"""The words for DWP staff's roles, their audit events and the kinds of record the audit log holds."""

from __future__ import annotations

from flask_babel import lazy_gettext

from config import words
from config.auth import StaffRole

ROLE_NAMES = {
    StaffRole.CASEWORKER: lazy_gettext("Caseworker"),
    StaffRole.FINANCE_OFFICER: lazy_gettext("Finance officer"),
    StaffRole.APPROVER: lazy_gettext("Approver"),
    StaffRole.AUDITOR: lazy_gettext("Auditor"),
}

STAFF_EVENTS = {
    "staff.created": lazy_gettext("Staff account made"),
    "staff.signed_in": lazy_gettext("Staff member signed in"),
    "staff.sign_in_refused": lazy_gettext("Staff sign-in refused"),
    "staff.roles_changed": lazy_gettext("Staff roles changed"),
    "audit_log.exported": lazy_gettext("Audit log exported"),
    "audit_log.verified": lazy_gettext("Audit log checked"),
}

# The audit page's names for each kind of record an event is about (``AuditEvent.entity_type``: a
# table's name, or the name ``audit.record_many`` is given). English only, like DWP's own pages.
RECORD_KINDS = {
    "ap_statements": "Assessment period statements",
    "api_clients": "API clients",
    "audit_events": "Audit events",
    "audit_log": "Audit log",
    "award_differences": "Award differences",
    "bacs_files": "Bacs files",
    "bacs_returns_imports": "Bacs returns files",
    "batch_approvals": "Payment batch approvals",
    "children": "Children",
    "consents": "Consents",
    "council_exports": "Exports to councils",
    "council_sharing": "Council sharing agreements",
    "credit_notes": "Credit notes",
    "dev_claim_children": "Children on development claims",
    "dev_claim_periods": "Development claims’ period facts",
    "dev_claim_statements": "Statements the development claim system received",
    "dev_claims": "Development claims",
    "dev_identity_records": "Development identity provider records",
    "idempotency_keys": "Idempotency keys",
    "invoice_drafts": "Invoice drafts",
    "invoice_lines": "Invoice lines",
    "invoice_uploads": "Invoice uploads",
    "invoices": "Invoices",
    "job_locks": "Scheduled job locks",
    "job_runs": "Scheduled job runs",
    "notifications": "Emails",
    "oauth_codes": "OAuth authorisation codes",
    "oauth_tokens": "OAuth tokens",
    "parents": "Parents",
    "partner_invitations": "Partner invitations",
    "payees": "Payment details",
    "payment_allocations": "Payment allocations",
    "payment_batches": "Payment batches",
    "payments": "Payments",
    "provider_invitations": "Invitations to a provider’s team",
    "provider_password_resets": "Provider password resets",
    "provider_recovery_codes": "Provider recovery codes",
    "provider_secret_reveals": "API client secrets shown",
    "provider_sign_in_throttles": "Provider sign-in limits",
    "provider_users": "Provider staff accounts",
    "providers": "Providers",
    "reconciliation_breaks": "Reconciliation breaks",
    "registration_drafts": "Registration drafts",
    "staff_sign_in": "Staff sign-in attempts",
    "staff_users": "Staff accounts",
    "stripe_events": "Stripe events",
    "webhook_deliveries": "Webhook deliveries",
}

words.register("role", ROLE_NAMES)
words.register("record_kind", RECORD_KINDS)
words.register("event", STAFF_EVENTS)
