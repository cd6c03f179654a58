"""The parent's word on each invoice (``invoicing.service.confirmation``): only theirs, emails in the
same transaction, reminders at 3 and 7 days, DWP at 14, never confirmed by silence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.models import Parent
from config import audit
from config.auth import SYSTEM
from config.errors import (
    Forbidden,
    NotFound,
)
from config.notify import Notification
from invoicing import service
from invoicing.models import InvoiceStatus
from tests.factories import (
    World,
    create_parent,
)


def emails(session: Session, template: str) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.template == template)))


def test_the_parent_is_emailed_in_the_submissions_own_transaction(session: Session) -> None:
    world = World(session)
    invoice = world.submit(eligible_pence=95_000, extras_pence=4_000)
    (note,) = emails(session, "invoice_to_confirm")
    body = note.rendered().body
    assert "£807.50" in body and "£182.50" in body and f"/account/invoices/{invoice.id}" in body
    try:
        world.submit(number=invoice.invoice_number)
    except Exception:
        pass
    assert len(emails(session, "invoice_to_confirm")) == 1  # ...and no email leaks out of it


def test_a_dispute_tells_the_providers_admins(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    service.dispute_invoice(session, world.parent, invoice.id, "Wrong week")
    (note,) = emails(session, "invoice_disputed")
    assert note.email == world.provider.users[0].email and "Wrong week" in note.rendered().body


def test_reminders_at_three_and_seven_days_then_dwp_at_fourteen_and_never_confirmed_by_silence(
    session: Session,
) -> None:
    world = World(session)
    invoice = world.submit()
    start = invoice.created_at
    assert service.remind_unconfirmed(session, SYSTEM, now=start + timedelta(days=2)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert service.remind_unconfirmed(session, SYSTEM, now=start + timedelta(days=3)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert service.remind_unconfirmed(session, SYSTEM, now=start + timedelta(days=4)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert service.remind_unconfirmed(session, SYSTEM, now=start + timedelta(days=7)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert service.remind_unconfirmed(session, SYSTEM, now=start + timedelta(days=14)) == {
        "reminded": 0,
        "escalated": 1,
    }
    assert service.remind_unconfirmed(session, SYSTEM, now=start + timedelta(days=30)) == {
        "reminded": 0,
        "escalated": 0,
    }
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.AWAITING_CONFIRMATION and invoice.escalated_at is not None
    assert len(emails(session, "invoice_reminder")) == 2
    actions = [e.action for e in audit.events_for(session, "invoices", invoice.id)]
    assert actions.count("invoice.reminder_sent") == 2 and "invoice.escalated" in actions
    # DWP was told on the 14th day, not on a later run, and the reminders were the 3- and 7-day ones.
    assert invoice.escalated_at == start + timedelta(days=14)
    reminders = [
        e.data["reminder"]
        for e in audit.events_for(session, "invoices", invoice.id)
        if e.data.get("reminder")
    ]
    assert reminders == [1, 2] and invoice.reminders_sent == 2


def test_only_the_invoices_parent_can_confirm_or_dispute_it(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    stranger = create_parent(session)
    with pytest.raises(NotFound):
        service.confirm_invoice(session, stranger, invoice.id)
    with pytest.raises(NotFound):
        service.dispute_invoice(session, stranger, invoice.id, "not mine")
    with pytest.raises(Forbidden):
        service.confirm_invoice(session, world.provider_user, invoice.id)
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.AWAITING_CONFIRMATION


def test_silence_never_confirms_an_invoice(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    assert service.run_automatic_checks(session, SYSTEM) == {"approved": 0, "on_hold": 0}
    assert service.build_batch(session, world.officer) is None
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.AWAITING_CONFIRMATION


def test_an_invoice_unconfirmed_for_14_days_is_listed_for_dwp_and_both_sides_are_told(
    live_server, db
) -> None:
    from tests.http import sign_in_staff

    world = World(db)
    waiting = world.submit()
    other = world.submit(number="R-1", care_from=waiting.care_from, care_to=waiting.care_from)
    service.remind_unconfirmed(db, SYSTEM, now=waiting.created_at + timedelta(days=15))
    db.expire_all()
    told = {(n.template, n.email) for n in db.scalars(select(Notification))}
    assert ("invoice_escalated_parent", db.get_one(Parent, world.parent.parent_id).email) in told
    assert ("invoice_escalated_provider", world.provider.users[0].email) in told
    case, _ = sign_in_staff(live_server.url, world.caseworker.label)
    queue = case.get("/finance/queue").text
    listed = queue.split('id="unconfirmed"', 1)[1]
    assert waiting.invoice_number in listed and other.invoice_number in listed  # both are 15 days old
    service.confirm_invoice(db, world.parent, other.id)
    assert other.invoice_number not in case.get("/finance/queue").text.split('id="unconfirmed"', 1)[1]
