"""After payment: the award, calculated once DWP has paid the nurseries, may allow less.

DWP pays a nursery within the most it may pay when the invoice is batched: the monthly maximum,
or the award's childcare element when the AP is already assessed. The award may be calculated
after that (it usually is: at the AP's end), and be lower, the taper having taken more. Then the
difference (``claims.rules.after_payment``) is recorded against the parent, once per parent,
AP and element value, audited (``award_difference.found``), emailed to the parent, and shown on
their period page and to DWP staff. It is never taken back from the nursery: nothing here
touches a payment. An award equal to or higher than what was paid, or not calculated yet,
changes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import claims.systems
from claimants.models import Parent
from claims import ClaimSystem, ClaimSystemUnavailable, rules
from config import audit, notify
from config.auth import Actor
from config.database import transaction, utcnow
from config.formatting import day
from config.money import format_pence
from invoicing.models import ApStatement, AwardDifference
from invoicing.service.common import link, today_in_london

logger = logging.getLogger(__name__)

# The APs looked at: those that ended within this many days (or have not ended), as an award is
# calculated at the AP's end and seldom recalculated long after.
LOOK_BACK_DAYS = 93


def check_awards(
    session: Session, actor: Actor, system: ClaimSystem | None = None, today: date | None = None
) -> dict[str, int]:
    """For each current statement of a recent AP, ask the claim system for the AP's award;
    record a difference where the award's element is lower than what DWP paid. Safe to run
    twice: a difference already recorded for that element is not recorded again."""
    system = system or claims.systems.current(session)
    since = (today or today_in_london()) - timedelta(days=LOOK_BACK_DAYS)
    statements = list(
        session.scalars(
            select(ApStatement)
            .where(ApStatement.is_current, ApStatement.ap_end >= since)
            .order_by(ApStatement.ap_start, ApStatement.parent_id)
        )
    )
    known = set(
        session.execute(
            select(AwardDifference.parent_id, AwardDifference.ap_start, AwardDifference.element_pence).where(
                AwardDifference.ap_end >= since
            )
        ).all()
    )
    for statement in statements:
        session.expunge(
            statement
        )  # read as it is now, with no transaction held while the claim system answers
    session.rollback()
    counts = {"checked": 0, "not_calculated": 0, "differences": 0, "unavailable": 0}
    for statement in statements:
        try:
            facts = system.period(statement.claim_reference, statement.ap_start)
        except ClaimSystemUnavailable:
            # One claim the claim system cannot answer today never stops the others' checks.
            logger.warning("claim system unavailable for one award check: the next run asks again")
            counts["unavailable"] += 1
            continue
        element = None if facts is None else facts.childcare_element_pence
        if element is None:
            counts["not_calculated"] += 1
            continue
        counts["checked"] += 1
        difference = rules.after_payment(statement.total_pence, element)
        if difference is None or (statement.parent_id, statement.ap_start, difference.element_pence) in known:
            continue
        if record_difference(session, actor, statement, difference):
            counts["differences"] += 1
    return counts


def record_difference(
    session: Session, actor: Actor, statement: ApStatement, difference: rules.Difference
) -> AwardDifference | None:
    """Record the difference against the statement's parent and email them; ``None`` when it was
    recorded already (another run got there first)."""
    try:
        with transaction(session):
            found = AwardDifference(
                parent_id=statement.parent_id,
                ap_start=statement.ap_start,
                ap_end=statement.ap_end,
                statement_id=statement.id,
                statement_version=statement.version,
                paid_pence=difference.paid_pence,
                element_pence=difference.element_pence,
                difference_pence=difference.pence,
                found_at=utcnow(),
            )
            session.add(found)
            session.flush()
            audit.record(
                session,
                "award_difference.found",
                found,
                actor,
                {
                    "parent_id": statement.parent_id,
                    "ap_start": statement.ap_start,
                    "statement_id": statement.id,
                    "statement_version": statement.version,
                    "paid_pence": difference.paid_pence,
                    "element_pence": difference.element_pence,
                    "difference_pence": difference.pence,
                },
            )
            parent = session.get_one(Parent, statement.parent_id)
            notify.queue_email(
                session,
                to=parent.email,
                template="award_difference",
                reference=f"award-difference-{found.id}",
                start=day(statement.ap_start),
                end=day(statement.ap_end),
                paid=format_pence(difference.paid_pence),
                element=format_pence(difference.element_pence),
                difference=format_pence(difference.pence),
                link=link(f"/account/periods/{statement.ap_start.isoformat()}"),
            )
    except IntegrityError:
        return None  # the same difference, recorded by another run meanwhile
    return found
