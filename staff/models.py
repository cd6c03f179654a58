"""A DWP staff member's account: who the department's identity provider vouches for, and their roles."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from config.auth import Actor, ActorKind, StaffRole
from config.database import Base, Timestamps, UUIDPrimaryKey


class StaffUser(UUIDPrimaryKey, Timestamps, Base):
    """No account holds both the finance officer's and the approver's role (a check constraint, as
    well as the refusal at sign-in): one person could otherwise build and approve batches."""

    __tablename__ = "staff_users"
    __table_args__ = (
        CheckConstraint(
            "NOT (CAST(roles AS TEXT) LIKE '%\"finance_officer\"%' "
            "AND CAST(roles AS TEXT) LIKE '%\"approver\"%')",
            name="not_builder_and_approver",
        ),
    )

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    roles: Mapped[list[str]]
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def as_actor(self) -> Actor:
        return Actor(
            kind=ActorKind.STAFF,
            id=self.id,
            label=self.name,
            roles=frozenset(StaffRole(role) for role in self.roles),
        )
