"""Which council runs early-years funding where a provider is: recorded by DWP staff.

The export to councils (``claimants.council_export``) groups children by it. It is DWP's record,
not the nursery's word: a wrong authority would send children's details to the wrong council, so
a DWP person who checks providers records it from the setting's address, choosing from the dated
list in ``config/local_authorities.csv``. Asking nurseries at registration would need every
registration page, its Welsh and the registration drafts to change, and would still need DWP to
check the answer; recording it here is the smaller change and the one that is checked.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from config import audit, local_authorities
from config.auth import Actor, StaffRole
from config.database import transaction
from config.errors import N_, FieldError, ValidationFailed
from providers import repository
from providers.models import IN_ENGLAND, Provider

OUTSIDE_ENGLAND = N_(
    "Only a setting registered with Ofsted has a local authority recorded: the export to councils "
    "is for England’s early years schemes"
)


def set_local_authority(session: Session, actor: Actor, provider_id: uuid.UUID, gss_code: str) -> bool:
    """Record the provider's local authority (a GSS code from the list); audited with the old
    and new. ``False`` when it was already that one (nothing recorded). Refused for a setting
    outside England (``IN_ENGLAND``): no English council runs its early years funding."""
    actor.require_role(StaffRole.CASEWORKER, StaffRole.FINANCE_OFFICER)
    authority = local_authorities.find(gss_code)
    if authority is None:
        raise ValidationFailed(
            "The local authority is not valid",
            errors=[FieldError("local_authority", "Select the local authority from the list")],
        )
    with transaction(session):
        provider: Provider = repository.get_provider(session, provider_id, for_update=True)
        if provider.regulator not in IN_ENGLAND:
            raise ValidationFailed(
                "The local authority is not valid",
                errors=[FieldError("local_authority", OUTSIDE_ENGLAND)],
            )
        if provider.local_authority_code == authority.gss_code:
            return False
        was = provider.local_authority_code
        provider.local_authority_code = authority.gss_code
        audit.record(
            session,
            "provider.local_authority_set",
            provider,
            actor,
            {"from": was, "to": authority.gss_code, "name": authority.name},
        )
    return True
