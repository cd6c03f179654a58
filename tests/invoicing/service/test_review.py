"""Caseworkers' decisions (``invoicing.service.review``), on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from config import audit
from config.auth import SYSTEM, StaffRole
from config.errors import (
    Forbidden,
    ValidationFailed,
)
from invoicing import service
from invoicing.models import InvoiceStatus
from tests.factories import (
    World,
    create_staff,
)


def test_a_dispute_goes_to_a_caseworker_who_decides_with_a_reason(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    with pytest.raises(ValidationFailed):
        service.dispute_invoice(session, world.parent, invoice.id, "  ")
    service.dispute_invoice(session, world.parent, invoice.id, "We were on holiday that week")
    assert invoice.status is InvoiceStatus.DISPUTED and "disputed" in invoice.flags
    with pytest.raises(Forbidden):
        service.approve_invoice(session, world.officer, invoice.id, "looks fine")
    with pytest.raises(ValidationFailed):
        service.reject_invoice(session, world.caseworker, invoice.id, "")
    service.reject_invoice(session, world.caseworker, invoice.id, "Parent was right: care not given")
    assert invoice.status is InvoiceStatus.REJECTED
    assert invoice.decided_by_id == world.caseworker.id
    timeline = [event.action for event in audit.events_for(session, "invoices", invoice.id)]
    assert timeline[-2:] == ["invoice.disputed", "invoice.rejected"]


def test_a_caseworker_can_hold_then_approve_a_flagged_invoice(session: Session) -> None:
    world = World(session)
    invoice = world.submit(hours="999")
    service.confirm_invoice(session, world.parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.ON_HOLD
    service.approve_invoice(session, world.caseworker, invoice.id, "Nursery open long days: checked")
    assert invoice.status is InvoiceStatus.APPROVED


def test_staff_roles_are_checked_in_the_service(session: Session) -> None:
    world = World(session)
    auditor = create_staff(session, StaffRole.AUDITOR)
    invoice = world.submit()
    with pytest.raises(Forbidden):
        service.hold_invoice(session, auditor, invoice.id, "just looking")
    with pytest.raises(Forbidden):
        service.build_batch(session, auditor)


def test_hold_works_on_every_invoice_in_the_queue(session: Session) -> None:
    """The queue holds disputed invoices and ones on hold: "Hold" works for both (it failed on both)."""
    world = World(session)
    held = world.submit()
    service.confirm_invoice(session, world.parent, held.id)
    service.hold_invoice(session, world.caseworker, held.id, "checking the hours")
    service.hold_invoice(session, world.caseworker, held.id, "asked the nursery for the register")
    disputed = world.submit(number="D-1", care_from=held.care_from, care_to=held.care_from)
    service.dispute_invoice(session, world.parent, disputed.id, "Not there that day")
    service.hold_invoice(session, world.caseworker, disputed.id, "asked the parent")
    session.refresh(held)
    session.refresh(disputed)
    assert held.status is disputed.status is InvoiceStatus.ON_HOLD
    assert held.decision_reason == "asked the nursery for the register"
    actions = [event.action for event in audit.events_for(session, "invoices", held.id)]
    assert actions[-2:] == ["invoice.on_hold", "invoice.hold_continued"]


@pytest.mark.parametrize(
    "decide, reason_code",
    [
        (service.approve_invoice, "duplicate"),
        (service.approve_invoice, "need_information"),
        (service.reject_invoice, "checked_eligible"),
        (service.hold_invoice, "checked_eligible"),
        (service.approve_invoice, "made_up"),
    ],
)
def test_a_reason_that_contradicts_the_decision_is_refused_and_changes_nothing(
    session: Session, decide, reason_code: str
) -> None:
    world = World(session)
    invoice = world.submit()
    service.confirm_invoice(session, world.parent, invoice.id)
    service.hold_invoice(session, world.caseworker, invoice.id, "checking")
    before = len(audit.events_for(session, "invoices", invoice.id))
    with pytest.raises(ValidationFailed) as refused:
        decide(session, world.caseworker, invoice.id, "a note", reason_code)
    assert [e.field for e in refused.value.errors] == ["reason_code"]
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.ON_HOLD
    assert len(audit.events_for(session, "invoices", invoice.id)) == before
