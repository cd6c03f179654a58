"""Submitting and cancelling invoices (``invoicing.service.submission``), on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claimants import service as claimants
from claimants.models import Child
from config import audit
from config.auth import SYSTEM
from config.errors import (
    ChildOverAgeLimit,
    ConsentNotAuthorised,
    DuplicateInvoiceNumber,
    InvalidTransition,
    NotFound,
    ProviderNotActive,
    ValidationFailed,
)
from invoicing import service
from invoicing.entitlement import monthly_cap_pence
from invoicing.models import Invoice, InvoiceStatus
from invoicing.service import LineInput
from tests.factories import (
    World,
    create_child,
    create_consent,
    create_parent,
    create_provider,
    invoice_input,
    previous_month,
    today,
)


def count_invoices(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Invoice)) or 0


def test_a_submitted_invoice_waits_for_the_parent_with_both_shares_shown(session: Session) -> None:
    world = World(session)
    invoice = world.submit(eligible_pence=95_000, extras_pence=4_000)
    assert invoice.status is InvoiceStatus.AWAITING_CONFIRMATION
    assert (invoice.total_pence, invoice.eligible_pence) == (99_000, 95_000)
    assert (invoice.dwp_pence, invoice.claimant_pence) == (80_750, 18_250)
    assert invoice.flags == []
    assert invoice.ap_start <= today() <= invoice.ap_end
    actions = [event.action for event in audit.events_for(session, "invoices", invoice.id)]
    assert actions == ["invoice.submitted", "invoice.awaiting_confirmation"]


def test_a_provider_awaiting_verification_can_not_submit(session: Session) -> None:
    _, user = create_provider(session, verified=False)
    parent = create_parent(session)
    consent = create_consent(session, user, parent, create_child(session, parent))
    with pytest.raises(ProviderNotActive):
        service.submit_invoice(session, user, invoice_input(consent))
    assert count_invoices(session) == 0


def test_another_providers_consent_is_not_found(session: Session) -> None:
    world = World(session)
    _, other_user = create_provider(session)
    with pytest.raises(NotFound):
        service.submit_invoice(session, other_user, invoice_input(world.consent))
    assert count_invoices(session) == 0


def test_a_revoked_consent_refuses_new_invoices_but_confirmed_ones_keep_their_course(
    session: Session,
) -> None:
    world = World(session)
    confirmed = world.submit()
    service.confirm_invoice(session, world.parent, confirmed.id)
    claimants.revoke_consent(session, world.parent, world.consent.id)
    with pytest.raises(ConsentNotAuthorised):
        world.submit()
    service.run_automatic_checks(session, SYSTEM)
    session.refresh(confirmed)
    assert confirmed.status is InvoiceStatus.APPROVED


def test_an_expired_consent_refuses_new_invoices(session: Session) -> None:
    world = World(session)
    claimants.expire_consents(session, SYSTEM, now=world.consent.expires_at + timedelta(seconds=1))
    with pytest.raises(ConsentNotAuthorised):
        world.submit()


def test_a_child_over_the_age_limit_for_the_whole_period_is_refused(session: Session) -> None:
    world = World(session)
    start, _ = previous_month()
    old_child = create_child(session, world.parent, first_name="Ola")
    consent = create_consent(session, world.provider_user, world.parent, old_child)
    # Added when young; her date of birth is then corrected by DWP: she is 17 for the whole period.
    session.execute(
        update(Child)
        .where(Child.id == old_child.id)
        .values(date_of_birth=start.replace(year=start.year - 17))
    )
    session.commit()
    with pytest.raises(ChildOverAgeLimit):
        service.submit_invoice(session, world.provider_user, invoice_input(consent))
    assert count_invoices(session) == 0


def test_an_invoice_number_can_not_be_used_twice_by_one_provider(session: Session) -> None:
    world = World(session)
    world.submit(number="INV-7")
    with pytest.raises(DuplicateInvoiceNumber):
        world.submit(number="INV-7", care_from=today() - timedelta(days=3), care_to=today())
    other = World(session)
    assert other.submit(number="INV-7").invoice_number == "INV-7"  # another provider may


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"care_from": today(), "care_to": today() - timedelta(days=1)}, "care_to"),
        ({"care_from": today() - timedelta(days=120), "care_to": today()}, "care_to"),
        ({"number": "   "}, "invoice_number"),
        ({"eligible_pence": 0}, "lines[0].amount_pence"),
        ({"eligible_pence": -5}, "lines[0].amount_pence"),
        ({"hours": "-1"}, "lines[0].hours"),
    ],
)
def test_malformed_invoices_name_the_bad_field_and_save_nothing(
    session: Session, changes: dict, field: str
) -> None:
    world = World(session)
    with pytest.raises(ValidationFailed) as error:
        world.submit(**changes)
    assert field in [e.field for e in error.value.errors]
    assert count_invoices(session) == 0


def test_an_invoice_with_no_lines_or_future_date_is_refused(session: Session) -> None:
    world = World(session)
    data = invoice_input(world.consent)
    for bad in (
        data.__class__(**{**data.__dict__, "lines": ()}),
        data.__class__(**{**data.__dict__, "issued_on": today() + timedelta(days=1)}),
        data.__class__(**{**data.__dict__, "lines": (LineInput("", 100, True),)}),
    ):
        with pytest.raises(ValidationFailed):
            service.submit_invoice(session, world.provider_user, bad)
    assert count_invoices(session) == 0


def test_overlapping_and_duplicate_care_is_flagged_and_held_for_review(session: Session) -> None:
    world = World(session)
    first = world.submit()
    duplicate = world.submit()
    start, _ = previous_month()
    overlapping = world.submit(care_from=start, care_to=start + timedelta(days=5), eligible_pence=10_000)
    assert first.flags == []
    assert "duplicate" in duplicate.flags
    assert "overlapping_care" in overlapping.flags
    for invoice in (duplicate, overlapping):
        service.confirm_invoice(session, world.parent, invoice.id)
    assert service.run_automatic_checks(session, SYSTEM) == {"approved": 0, "on_hold": 2}


def test_implausible_hours_are_flagged(session: Session) -> None:
    world = World(session)
    assert "implausible_hours" in world.submit(hours="999").flags


def test_the_cap_is_shared_by_a_parents_invoices_in_one_period_and_later_ones_get_what_is_left(
    session: Session,
) -> None:
    world = World(session)
    _, second_user = create_provider(session)
    consent_two = create_consent(session, second_user, world.parent, world.child)
    first = world.submit(eligible_pence=100_000, extras_pence=0)
    assert first.dwp_pence == 85_000
    second = service.submit_invoice(
        session, second_user, invoice_input(consent_two, eligible_pence=100_000, extras_pence=0)
    )
    cap = monthly_cap_pence(1, second.ap_start)
    assert second.ap_start == first.ap_start
    assert second.dwp_pence == cap - 85_000
    assert second.claimant_pence == 100_000 - second.dwp_pence
    assert "over_cap" in second.flags and "over_cap" not in first.flags


def test_a_second_child_raises_the_cap_to_the_two_children_rate(session: Session) -> None:
    world = World(session)
    sibling = create_child(session, world.parent, first_name="Kit")
    sibling_consent = create_consent(session, world.provider_user, world.parent, sibling)
    world.submit(eligible_pence=120_000, extras_pence=0)
    second = service.submit_invoice(
        session, world.provider_user, invoice_input(sibling_consent, eligible_pence=120_000, extras_pence=0)
    )
    two_cap = monthly_cap_pence(2, second.ap_start)
    assert second.dwp_pence == min(102_000, two_cap - 102_000)


def test_cancel_only_by_its_provider_and_only_before_batching(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    other = World(session)
    with pytest.raises(NotFound):
        service.cancel_invoice(session, other.provider_user, invoice.id)
    service.cancel_invoice(session, world.provider_user, invoice.id, "sent in error")
    assert invoice.status is InvoiceStatus.CANCELLED

    batched = world.approved_invoice(eligible_pence=20_000)
    world.approved_batch()
    session.refresh(batched)
    assert batched.status is InvoiceStatus.BATCHED
    with pytest.raises(InvalidTransition):
        service.cancel_invoice(session, world.provider_user, batched.id)
    session.refresh(batched)
    assert batched.status is InvoiceStatus.BATCHED


def test_a_refused_action_changes_nothing_and_records_nothing(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    events_before = len(audit.events_for(session, "invoices", invoice.id))
    with pytest.raises(InvalidTransition):
        service.approve_invoice(session, world.caseworker, invoice.id, "too early")
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.AWAITING_CONFIRMATION
    assert len(audit.events_for(session, "invoices", invoice.id)) == events_before
