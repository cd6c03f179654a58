"""The words for DWP staff's roles."""

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

words.register("role", ROLE_NAMES)
words.register("event", STAFF_EVENTS)
