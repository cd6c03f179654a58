"""The demonstration data's claims in the development claim system (``claims.development``), and
the partner of the joint claim, made as the people would make them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants import service as claimants
from claimants.models import Parent
from claims import development
from config.auth import Actor
from config.notify import Notification


def record_claim(
    session: Session,
    actor: Actor,
    situation: str,
    *,
    joint: bool = False,
    work_condition_met: bool = True,
    earnings_pence: int = 0,
    childcare_element_pence: int | None = None,
    ended_on: date | None = None,
) -> None:
    """The parent's claim in the development claim system, its children all with childcare costs."""
    parent = session.get_one(Parent, actor.parent_id)
    reference, started = parent.uc_claim_reference, parent.claim_start_date
    assert reference is not None and started is not None
    development.add_claim(
        session, reference=reference, claim_start_date=started, joint=joint, situation=situation
    )
    development.change_claim(
        session,
        reference,
        development.ClaimChanges(
            situation, joint, work_condition_met, earnings_pence, childcare_element_pence, ended_on
        ),
    )
    for child in parent.children:
        development.add_child(
            session,
            reference,
            first_name=child.first_name,
            last_name=child.last_name,
            date_of_birth=child.date_of_birth,
            childcare_costs=True,
        )


def join_partner(session: Session, lead: Actor, *, name: str, at: str, nino: str) -> Actor:
    """The lead's partner, invited by the lead and joined with the claim reference and their own
    National Insurance number, as a partner would from the emailed link."""
    first = name.split()[0].lower()
    partner = claimants.register_parent(
        session, name=name, email=f"{first}{at}@example.com", oidc_subject=f"parent-{first}{at}"
    )
    invitation = claimants.invite_partner(session, lead, email=partner.email)
    link = session.scalars(
        select(Notification.personalisation).where(
            Notification.reference == f"partner-invitation-{invitation.id}"
        )
    ).one()["link"]
    lead_parent = session.get_one(Parent, lead.parent_id)
    claimants.join_household(
        session,
        claimants.parent_actor(partner),
        str(link).rsplit("/", 1)[1],
        claim_reference=str(lead_parent.uc_claim_reference),
        nino=nino,
    )
    session.refresh(partner)
    return claimants.parent_actor(partner)
