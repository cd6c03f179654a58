"""The words for DWP staff's roles."""

from __future__ import annotations

from flask_babel import lazy_gettext

from config.auth import StaffRole

ROLE_NAMES = {
    StaffRole.CASEWORKER: lazy_gettext("Caseworker"),
    StaffRole.FINANCE_OFFICER: lazy_gettext("Finance officer"),
    StaffRole.APPROVER: lazy_gettext("Approver"),
    StaffRole.AUDITOR: lazy_gettext("Auditor"),
}
