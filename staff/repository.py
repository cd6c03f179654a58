"""Queries about DWP staff accounts. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from staff.models import StaffUser


def find_by_subject(session: Session, subject: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.oidc_subject == subject)).one_or_none()


def find_by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.email == email.lower())).one_or_none()


def find(session: Session, staff_id: uuid.UUID) -> StaffUser | None:
    return session.get(StaffUser, staff_id)


def signed_in_before(session: Session) -> list[StaffUser]:
    """Everyone who has signed in through an identity provider, by name (the development
    identity provider lists them)."""
    return list(
        session.scalars(select(StaffUser).where(StaffUser.oidc_subject.is_not(None)).order_by(StaffUser.name))
    )
