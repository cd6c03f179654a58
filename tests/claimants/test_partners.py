"""Joint claims (claimants/partners.py): the lead invites, the partner joins, both act on one
household, each action names who did it, and an ended partner sees nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from claimants import partners
from claimants import service as claimants
from claimants.models import Parent, PartnerInvitation
from config.audit import AuditEvent
from config.errors import DomainError, NotFound, ValidationFailed
from config.notify import Notification
from invoicing import queries
from invoicing import service as invoicing
from invoicing.models import InvoiceStatus
from tests.factories import (
    World,
    create_child,
    create_joint_claim,
    create_parent,
    create_partner,
    invitation_token,
)


def _invited(db, world: World) -> tuple[Parent, str]:
    """A new person the lead invited by email, and the token of the link they were sent."""
    create_joint_claim(db, world.parent)
    person = claimants.register_parent(db, name="Sam Jones", email="sam@example.com", oidc_subject="sub-sam")
    invitation = claimants.invite_partner(db, world.parent, email="Sam@Example.com ")
    return person, invitation_token(db, invitation.id)


def _reference(db, world: World) -> str:
    return str(db.get_one(Parent, world.parent.parent_id).uc_claim_reference)


def test_an_invited_partner_joins_and_acts_on_the_households_records(db) -> None:
    world = World(db)
    person, token = _invited(db, world)
    joined = claimants.join_household(
        db,
        claimants.parent_actor(person),
        token,
        claim_reference=_reference(db, world).lower(),
        nino="pn 12 34 56 b",
    )
    assert joined.partner_of_id == world.parent.parent_id
    assert joined.nino_last == "456B" and joined.nino_hash and joined.uc_claim_reference is None
    partner = claimants.parent_actor(joined)
    assert partner.parent_id == world.parent.parent_id and partner.id == person.id
    assert partner.label == "Sam Jones"

    first, second = world.submit(), world.submit()
    invoicing.confirm_invoice(db, partner, first.id)
    invoicing.dispute_invoice(db, partner, second.id, "We were on holiday that week")
    lead_view = {i.id: i.status for i in queries.parent_invoices(db, world.parent.parent_id)}
    assert lead_view[first.id] is InvoiceStatus.CONFIRMED
    assert lead_view[second.id] is InvoiceStatus.DISPUTED
    confirmed = [e for e in queries.public_timeline(db, first) if e.action == "invoice.confirmed"]
    assert [(e.parent_id, e.parent_name) for e in confirmed] == [(str(person.id), "Sam Jones")]

    claimants.revoke_consent(db, partner, world.consent.id)
    stopped = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(world.consent.id), AuditEvent.action == "consent.revoked"
        )
    ).one()
    assert (stopped.actor_id, stopped.actor_label) == (str(person.id), "Sam Jones")
    # The email about the consent goes to both of them.
    told = db.scalars(select(Notification.email).where(Notification.template == "consent_stopped")).all()
    lead_email = db.get_one(Parent, world.parent.parent_id).email
    assert sorted(told) == sorted([lead_email, "sam@example.com"])

    child = create_child(db, partner, first_name="Ava")
    assert child.parent_id == world.parent.parent_id


def test_the_partner_is_told_of_the_households_invoices_in_their_own_language(db) -> None:
    world = World(db)
    partner = create_partner(db, world.parent)
    from claimants import preferences

    preferences.set_language(db, partner, "cy")
    assert db.get_one(Parent, world.parent.parent_id).language == "en"  # the lead's stays theirs
    world.submit()
    to_confirm = db.scalars(select(Notification).where(Notification.template == "invoice_to_confirm")).all()
    assert {(n.email, n.language) for n in to_confirm} == {
        (db.get_one(Parent, world.parent.parent_id).email, "en"),
        (db.get_one(Parent, partner.id).email, "cy"),
    }


def test_a_claim_the_claim_system_does_not_call_joint_cannot_invite(db) -> None:
    world = World(db)
    with pytest.raises(DomainError) as unknown:
        claimants.invite_partner(db, world.parent, email="sam@example.com")
    assert unknown.value.code == "claim_unknown"
    create_joint_claim(db, world.parent, joint=False)
    with pytest.raises(DomainError) as single:
        claimants.invite_partner(db, world.parent, email="sam@example.com")
    assert single.value.code == "claim_not_joint"
    assert db.scalars(select(PartnerInvitation)).all() == []
    assert db.scalars(select(Notification).where(Notification.template == "partner_invitation")).all() == []


def test_a_stranger_with_the_link_is_refused_and_changes_nothing(db) -> None:
    world = World(db)
    person, token = _invited(db, world)
    stranger = claimants.register_parent(db, name="Eve", email="eve@example.com", oidc_subject="sub-eve")
    with pytest.raises(DomainError) as other_email:
        claimants.join_household(
            db,
            claimants.parent_actor(stranger),
            token,
            claim_reference=_reference(db, world),
            nino="PN123456B",
        )
    assert other_email.value.code == "invitation_for_another_email"
    actor = claimants.parent_actor(person)
    with pytest.raises(ValidationFailed) as wrong_reference:
        claimants.join_household(db, actor, token, claim_reference="UC99999999", nino="PN123456B")
    assert [e.field for e in wrong_reference.value.errors] == ["claim_reference"]
    with pytest.raises(ValidationFailed) as leads_nino:  # the lead's own number, from the factory
        lead_nino = f"JK{int(_reference(db, world)[2:]):06d}A"
        claimants.join_household(db, actor, token, claim_reference=_reference(db, world), nino=lead_nino)
    assert [e.field for e in leads_nino.value.errors] == ["nino"]
    for someone in (stranger, person):
        db.refresh(someone)
        assert someone.partner_of_id is None and someone.nino_hash is None
    assert db.scalars(select(PartnerInvitation)).one().failed_tries == 2


def test_an_invitation_stops_working_after_five_wrong_tries_and_once_used(db) -> None:
    world = World(db)
    person, token = _invited(db, world)
    actor = claimants.parent_actor(person)
    for _ in range(partners.MOST_WRONG_TRIES):
        with pytest.raises(ValidationFailed):
            claimants.join_household(db, actor, token, claim_reference="UC99999999", nino="PN123456B")
    with pytest.raises(DomainError) as gone:
        claimants.join_household(db, actor, token, claim_reference=_reference(db, world), nino="PN123456B")
    assert gone.value.code == "invitation_gone"

    again = claimants.invite_partner(db, world.parent, email="sam@example.com")
    fresh = invitation_token(db, again.id)
    claimants.join_household(db, actor, fresh, claim_reference=_reference(db, world), nino="PN123456B")
    other = claimants.register_parent(db, name="Kim", email="kim@example.com", oidc_subject="sub-kim")
    with pytest.raises(DomainError) as used:
        claimants.join_household(
            db, claimants.parent_actor(other), fresh, claim_reference=_reference(db, world), nino="PN654321B"
        )
    assert used.value.code == "invitation_gone"
    with pytest.raises(DomainError) as second:  # a couple: one partner at a time
        claimants.invite_partner(db, world.parent, email="kim@example.com")
    assert second.value.code == "partner_already_joined"


def test_a_parent_with_records_of_their_own_cannot_become_a_partner(db) -> None:
    world = World(db)
    create_joint_claim(db, world.parent)
    other = create_parent(db, linked=False)
    create_child(db, other)
    email = db.get_one(Parent, other.id).email
    invitation = claimants.invite_partner(db, world.parent, email=email)
    with pytest.raises(DomainError) as refused:
        claimants.join_household(
            db,
            other,
            invitation_token(db, invitation.id),
            claim_reference=_reference(db, world),
            nino="PN123456B",
        )
    assert refused.value.code == "has_own_records"
    assert db.get_one(Parent, other.id).partner_of_id is None


def test_the_partner_cannot_invite_or_link_a_claim_and_the_lead_cannot_use_their_own_link(db) -> None:
    world = World(db)
    partner = create_partner(db, world.parent)
    with pytest.raises(DomainError) as invite:
        claimants.invite_partner(db, partner, email="kim@example.com")
    assert invite.value.code == "partner_cannot_invite"
    with pytest.raises(DomainError) as link:
        from datetime import date

        claimants.link_claim(
            db, partner, claim_reference="UC1", nino="PN111111B", claim_start_date=date(2026, 1, 1)
        )
    assert link.value.code == "partner_links_no_claim"


@pytest.mark.parametrize("who", ["partner", "lead"])
def test_an_ended_partner_link_shows_the_partner_nothing(db, who: str) -> None:
    world = World(db)
    partner = create_partner(db, world.parent)
    invoice = world.submit()
    if who == "partner":
        claimants.end_partner_link(db, partner)
    else:
        claimants.end_partner_link(db, world.parent, partner.id)
    row = db.get_one(Parent, partner.id)
    assert row.partner_of_id is None and row.nino_hash is None
    ended = claimants.parent_actor(row)
    assert ended.parent_id == partner.id
    with pytest.raises(NotFound):
        invoicing.confirm_invoice(db, ended, invoice.id)
    with pytest.raises(NotFound):
        claimants.revoke_consent(db, ended, world.consent.id)
    assert queries.parent_invoices(db, ended.parent_id) == []  # type: ignore[arg-type]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "parent.partner_link_ended")).one()
    assert event.data["by"] == who


def test_another_households_partner_cannot_be_ended_by_a_lead(db) -> None:
    world, other = World(db), World(db)
    theirs = create_partner(db, other.parent)
    with pytest.raises(NotFound):
        claimants.end_partner_link(db, world.parent, theirs.id)
    assert db.get_one(Parent, theirs.id).partner_of_id == other.parent.parent_id
