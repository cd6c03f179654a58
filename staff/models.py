"""A DWP staff member's account: who the department's identity provider vouches for, and their roles."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from config.auth import Actor, ActorKind, StaffRole
from config.database import Base, Timestamps, UUIDPrimaryKey


class StaffUser(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "staff_users"

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
