"""A parent's choice to let DWP tell their council about early-years help their children may get.

Each change is one transaction with its audit event. Agreeing when already agreed, or withdrawing
when not agreed, changes nothing and records nothing (pressing the button twice is harmless).
Withdrawing takes effect for the next export: councils keep what they were sent before.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants import repository
from claimants.models import CouncilSharing
from config import audit
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import DomainError, rule


def sharing_in_force(session: Session, parent_id: uuid.UUID) -> CouncilSharing | None:
    """The parent's agreement in force, if any."""
    return session.scalars(
        select(CouncilSharing).where(
            CouncilSharing.parent_id == parent_id, CouncilSharing.withdrawn_at.is_(None)
        )
    ).one_or_none()


def last_withdrawn(session: Session, parent_id: uuid.UUID) -> CouncilSharing | None:
    """The parent's most recently withdrawn agreement, if any (when they stopped sharing)."""
    return session.scalars(
        select(CouncilSharing)
        .where(CouncilSharing.parent_id == parent_id, CouncilSharing.withdrawn_at.is_not(None))
        .order_by(CouncilSharing.withdrawn_at.desc())
        .limit(1)
    ).first()


def agree_to_share(session: Session, actor: Actor) -> bool:
    """The signed-in parent agrees; ``False`` when they had already."""
    parent_id = actor.require_parent()

    def already() -> DomainError:  # two presses at once: the other one agreed
        return rule(
            "council_sharing_agreed", "Already agreed", "You have already agreed to share with your council"
        )

    with transaction(session, {"uq_council_sharing_in_force_per_parent": already}):
        repository.get_parent(session, parent_id)
        if sharing_in_force(session, parent_id) is not None:
            return False
        sharing = CouncilSharing(id=uuid.uuid4(), parent_id=parent_id, agreed_at=utcnow())
        session.add(sharing)
        audit.record(session, "parent.council_sharing_agreed", sharing, actor, {"parent_id": parent_id})
    return True


def withdraw_sharing(session: Session, actor: Actor) -> bool:
    """The signed-in parent withdraws; ``False`` when nothing was in force."""
    parent_id = actor.require_parent()
    with transaction(session):
        sharing = sharing_in_force(session, parent_id)
        if sharing is None:
            return False
        sharing.withdrawn_at = utcnow()
        audit.record(
            session,
            "parent.council_sharing_withdrawn",
            sharing,
            actor,
            {"parent_id": parent_id, "agreed_at": sharing.agreed_at},
        )
    return True


def parents_sharing(session: Session, parent_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``parent_ids`` have an agreement in force now."""
    if not parent_ids:
        return set()
    return set(
        session.scalars(
            select(CouncilSharing.parent_id).where(
                CouncilSharing.parent_id.in_(parent_ids), CouncilSharing.withdrawn_at.is_(None)
            )
        )
    )
