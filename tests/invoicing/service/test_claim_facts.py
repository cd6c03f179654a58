"""The Universal Credit claim's facts decide what DWP pays a nursery (the development claim
system on its own tables, a real database): held when the claim is not live or the work
condition is not met, the maximum's children from the claim, and never more than the award's
childcare element, shared in order; nothing paid while the claim system cannot be asked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from claimants.models import Child, Parent
from claims import ClaimSystemUnavailable, systems
from claims.models import DevClaim, DevClaimChild
from config.auth import SYSTEM
from config.errors import DomainError
from invoicing import service
from invoicing.entitlement import monthly_cap_pence
from invoicing.models import Invoice, InvoiceStatus
from tests.factories import World, create_consent, invoice_input


def claim_of(session: Session, world: World, **facts: object) -> DevClaim:
    """The development claim system's claim for the world's parent, with ``facts``."""
    parent = session.get_one(Parent, world.parent.parent_id)
    child = session.get_one(Child, world.child.id)
    claim = DevClaim(
        reference=parent.uc_claim_reference,
        claim_start_date=parent.claim_start_date,
        children=[
            DevClaimChild(
                first_name=child.first_name, last_name=child.last_name, date_of_birth=child.date_of_birth
            )
        ],
        **facts,
    )
    session.add(claim)
    session.commit()
    return claim


def confirmed(session: Session, world: World, invoice_id) -> InvoiceStatus:
    service.confirm_invoice(session, world.parent, invoice_id)
    service.run_automatic_checks(session, SYSTEM)
    session.expire_all()
    return session.get_one(Invoice, invoice_id).status


@pytest.mark.parametrize(
    ("facts", "flag"),
    [
        ({"work_condition_met": False}, "work_condition_not_met"),
        ({"joint": True, "work_condition_met": False}, "work_condition_not_met"),  # one partner not working
        ({"ended_on": date.today()}, "claim_not_live"),  # ended in the period the care counts in
    ],
    ids=["not-working", "joint-claim-one-partner-not-working", "claim-ended-mid-period"],
)
def test_the_claim_holds_an_invoice(session: Session, facts, flag) -> None:
    world = World(session)
    claim_of(session, world, **facts)
    invoice = world.submit(eligible_pence=50_000, extras_pence=0)
    assert flag in invoice.flags
    assert confirmed(session, world, invoice.id) is InvoiceStatus.ON_HOLD  # a caseworker looks first
    assert service.build_batch(session, world.officer) is None  # nothing is paid meanwhile


def test_a_working_claimant_is_paid_as_before(session: Session) -> None:
    world = World(session)
    claim_of(session, world)
    invoice = world.approved_invoice(eligible_pence=50_000, extras_pence=0)
    assert not {"work_condition_not_met", "claim_not_live"} & set(invoice.flags)
    world.approved_batch()
    session.refresh(invoice)
    assert invoice.dwp_pence == 42_500 and not invoice.award_limited


@pytest.mark.parametrize(
    ("element", "dwp", "limited"),
    [(30_000, 30_000, True), (42_500, 42_500, False), (90_000, 42_500, False), (None, 42_500, False)],
    ids=["award-below", "award-equal", "award-above", "award-not-yet-calculated"],
)
def test_dwp_pays_no_more_than_the_awards_childcare_element(session: Session, element, dwp, limited) -> None:
    world = World(session)
    claim_of(session, world, childcare_element_pence=element)
    invoice = world.approved_invoice(eligible_pence=50_000, extras_pence=0)
    assert invoice.dwp_pence == dwp  # the expected share at submission already follows the award
    batch = world.approved_batch()
    session.refresh(invoice)
    assert (invoice.dwp_pence, invoice.claimant_pence, invoice.award_limited) == (dwp, 50_000 - dwp, limited)
    assert batch.total_pence == dwp


def test_two_nurseries_in_one_period_share_a_reduced_award_in_order(session: Session) -> None:
    world = World(session)
    second = World(session)
    consent = create_consent(session, second.provider_user, world.parent, world.child)
    claim_of(session, world, childcare_element_pence=60_000)
    first = world.approved_invoice(eligible_pence=50_000, extras_pence=0)
    other = service.submit_invoice(
        session, second.provider_user, invoice_input(consent, eligible_pence=50_000, extras_pence=0)
    )
    assert confirmed(session, world, other.id) is InvoiceStatus.APPROVED  # the award, not the cap
    batch = world.approved_batch()
    session.refresh(first)
    session.refresh(other)
    assert (first.dwp_pence, other.dwp_pence) == (42_500, 17_500)  # first come, first served
    assert other.award_limited and not first.award_limited
    assert batch.total_pence == 60_000 and other.claimant_pence == 32_500


def test_the_maximum_follows_the_children_with_costs_on_the_claim(session: Session) -> None:
    world = World(session)
    claim = claim_of(session, world)
    claim.children.append(DevClaimChild(first_name="Rosa", last_name="Older", date_of_birth=date(2021, 3, 1)))
    session.commit()
    big = world.submit(eligible_pence=200_000, extras_pence=0)
    # One child invoiced, two with costs on the claim: the two-or-more maximum applies.
    assert big.dwp_pence == min(170_000, monthly_cap_pence(2, big.ap_start))
    assert big.dwp_pence > monthly_cap_pence(1, big.ap_start)


class Down:
    """A claim system that cannot be asked (what the HTTP client raises on a timeout)."""

    def period(self, claim_reference, on):
        raise ClaimSystemUnavailable("no answer")

    def send_statement(self, statement):
        raise ClaimSystemUnavailable("no answer")


def test_nothing_is_paid_while_the_claim_system_cannot_be_asked(session: Session) -> None:
    world = World(session)
    claim_of(session, world)
    invoice = world.approved_invoice(eligible_pence=50_000, extras_pence=0)
    systems.use(Down())
    try:
        assert service.build_batch(session, world.officer) is None
        session.refresh(invoice)
        assert invoice.status is InvoiceStatus.APPROVED  # waits for the next batch
    finally:
        systems.use(None)
    assert service.build_batch(session, world.officer) is not None


def test_the_parent_is_told_why_and_the_nursery_only_that_dwp_is_checking(live_server, db) -> None:
    from tests.factories import PASSWORD, give_password
    from tests.http import sign_in_parent, sign_in_provider

    world = World(db)
    claim_of(db, world, work_condition_met=False)
    invoice = world.submit(eligible_pence=50_000, extras_pence=0)
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    page = parent.get(f"/account/invoices/{invoice.id}")
    assert "DWP will check this invoice before paying" in page.text
    assert "were not in paid work in this assessment period" in page.text
    secret = give_password(db, world.provider_user, second_factor=True)
    nursery, _ = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    theirs = nursery.get(f"/provider/invoices/{invoice.id}")
    assert theirs.status_code == 200 and "paid work" not in theirs.text  # the claim is the parent's


def test_the_parent_sees_the_award_lowered_the_share_on_the_invoice_and_the_period(live_server, db) -> None:
    from tests.http import sign_in_parent

    world = World(db)
    claim_of(db, world, childcare_element_pence=30_000)
    invoice = world.approved_invoice(eligible_pence=50_000, extras_pence=0)
    world.approved_batch()
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    page = parent.get(f"/account/invoices/{invoice.id}")
    assert "DWP pays £300.00, not 85% of the eligible costs (£425.00)" in page.text
    assert "after its deductions (such as for earnings), allows at most £300.00 for childcare" in page.text
    period = parent.get(f"/account/periods/{invoice.ap_start.isoformat()}")
    assert "allows £300.00 for childcare" in period.text


def test_one_caseworker_cannot_approve_past_the_claims_facts(session: Session) -> None:
    """Not live or not working in the period: only the claim system's records changing lets the
    invoice pay, never one person's decision; and the batch asks again before paying."""
    world = World(session)
    claim = claim_of(session, world, work_condition_met=False)
    invoice = world.submit(eligible_pence=50_000, extras_pence=0)
    assert confirmed(session, world, invoice.id) is InvoiceStatus.ON_HOLD
    with pytest.raises(DomainError) as refused:
        service.approve_invoice(session, world.caseworker, invoice.id, "Rang the parent: she works")
    assert refused.value.code == "claim_bars_payment"
    session.expire_all()
    assert session.get_one(Invoice, invoice.id).status is InvoiceStatus.ON_HOLD

    claim.work_condition_met = True  # Universal Credit's own records now say she works
    session.commit()
    service.approve_invoice(session, world.caseworker, invoice.id, "UC records updated")
    claim.work_condition_met = False  # and then say she stopped, before the batch
    session.commit()
    assert service.build_batch(session, world.officer) is None
    session.expire_all()
    held = session.get_one(Invoice, invoice.id)
    assert held.status is InvoiceStatus.ON_HOLD and held.dwp_pence == 42_500  # nothing paid
