"""Who is acting: the actor every service function is given, DWP staff and their roles.

Services check permissions against the actor they are handed; views only work out who the actor
is. The roles are here, in the platform, because all three domain packages act on DWP staff's
word; the staff themselves (their accounts and sign-in) are the ``staff`` package.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from config.errors import N_, Forbidden, Words


class ActorKind(StrEnum):
    PROVIDER_USER = "provider_user"
    API_CLIENT = "api_client"
    PARENT = "parent"
    STAFF = "staff"
    SYSTEM = "system"


class StaffRole(StrEnum):
    CASEWORKER = "caseworker"
    FINANCE_OFFICER = "finance_officer"
    APPROVER = "approver"
    AUDITOR = "auditor"


# Who builds payment batches and who approves them are never one account (DESIGN.md §1, issue #14).
INCOMPATIBLE_ROLES = frozenset({StaffRole.FINANCE_OFFICER, StaffRole.APPROVER})
INCOMPATIBLE_ROLES_MESSAGE = N_(
    "A Childcare Direct account cannot be both a finance officer and an approver. "
    "Ask your manager to remove one of them."
)


def holds_incompatible_roles(roles: frozenset[StaffRole] | set[StaffRole]) -> bool:
    """True when ``roles`` include both the builder's and the approver's role of payment batches."""
    return INCOMPATIBLE_ROLES <= set(roles)


def either(roles: tuple[StaffRole, ...]) -> str:
    """The roles as a list reads: "finance officer", "finance officer or approver", "finance
    officer, approver or auditor"."""
    names = [role.value.replace("_", " ") for role in roles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: uuid.UUID | None
    label: str
    provider_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    roles: frozenset[StaffRole] = field(default_factory=frozenset)
    # Someone at a nursery who is one of its admins (may change who it is paid to, manage the team).
    provider_admin: bool = False

    @property
    def staff_id(self) -> uuid.UUID | None:
        return self.id if self.kind is ActorKind.STAFF else None

    def require_role(self, *allowed: StaffRole) -> None:
        """Staff must hold one of ``allowed``; the system (scheduler) may do staff work. An actor
        holding both the finance officer's and the approver's role is refused everything."""
        if self.kind is ActorKind.SYSTEM:
            return
        if holds_incompatible_roles(self.roles):
            # Refused whatever is asked: such an account could build a batch and approve another's.
            raise Forbidden(INCOMPATIBLE_ROLES_MESSAGE)
        if self.kind is not ActorKind.STAFF or not (self.roles & set(allowed)):
            raise Forbidden(Words("Only a DWP %(roles)s can do this", roles=either(allowed)))

    def require_provider(self) -> uuid.UUID:
        if self.kind not in (ActorKind.PROVIDER_USER, ActorKind.API_CLIENT) or not self.provider_id:
            raise Forbidden("Only a childcare provider can do this")
        return self.provider_id

    def require_parent(self) -> uuid.UUID:
        if self.kind is not ActorKind.PARENT or not self.parent_id:
            raise Forbidden("Only the parent can do this")
        return self.parent_id


SYSTEM = Actor(kind=ActorKind.SYSTEM, id=None, label="Childcare Direct (automatic)")
