"""What parents are told, by email, at each change of their consents and invoices (real database)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from claimants import service
from claimants.models import ConsentStatus, Parent
from config import audit
from config.auth import SYSTEM
from config.database import utcnow
from config.errors import DomainError
from config.extensions import database
from config.notify import Notification
from config.scheduler import run_scheduler
from invoicing import service as invoicing
from invoicing.models import InvoiceStatus
from tests.factories import World, create_child, create_consent, create_parent, create_provider


def emails(session: Session, to: str) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification).where(Notification.email == to).order_by(Notification.created_at)
        )
    )


def templates(session: Session, to: str) -> list[str]:
    return [n.template for n in emails(session, to)]


def email_of(session: Session, parent) -> str:
    return session.get_one(Parent, parent.parent_id).email


def test_a_parent_is_emailed_when_a_consent_is_given_and_when_it_is_stopped(session: Session) -> None:
    _, provider_user = create_provider(session, name="Little Acorns")
    parent = create_parent(session)
    consent = create_consent(session, provider_user, parent, create_child(session, parent, first_name="Zara"))
    to = email_of(session, parent)
    assert templates(session, to) == ["consent_request", "consent_given"]
    given = emails(session, to)[-1].rendered()
    assert given.subject == "Little Acorns can now invoice DWP for Zara's childcare"
    service.revoke_consent(session, parent, consent.id)
    stopped = emails(session, to)[-1]
    assert stopped.template == "consent_stopped"
    assert "from now on you pay Little Acorns in full" in stopped.rendered().body


def test_warnings_30_and_7_days_before_the_end_are_each_sent_once_then_the_end(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent = create_parent(session)
    consent = create_consent(session, provider_user, parent, create_child(session, parent))
    to = email_of(session, parent)
    ends = consent.expires_at
    assert service.warn_ending_consents(session, SYSTEM, now=ends - timedelta(days=31)) == 0
    assert service.warn_ending_consents(session, SYSTEM, now=ends - timedelta(days=29)) == 1
    assert service.warn_ending_consents(session, SYSTEM, now=ends - timedelta(days=28)) == 0  # sent once
    assert service.warn_ending_consents(session, SYSTEM, now=ends - timedelta(days=6)) == 1
    assert service.warn_ending_consents(session, SYSTEM, now=ends - timedelta(days=5)) == 0
    assert templates(session, to).count("consent_ending") == 2
    assert service.expire_consents(session, SYSTEM, now=ends + timedelta(seconds=1)) == 1
    assert templates(session, to)[-1] == "consent_ended"
    assert service.expire_consents(session, SYSTEM, now=ends + timedelta(seconds=2)) == 0
    assert templates(session, to).count("consent_ended") == 1
    warned = [
        e
        for e in audit.events_for(session, "consents", consent.id)
        if e.action == "consent.ending_warning_sent"
    ]
    assert [e.data["days"] for e in warned] == [30, 7]


def test_a_consent_first_seen_inside_7_days_gets_only_the_7_day_warning(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent = create_parent(session)
    consent = create_consent(session, provider_user, parent, create_child(session, parent))
    assert service.warn_ending_consents(session, SYSTEM, now=consent.expires_at - timedelta(days=3)) == 1
    assert service.warn_ending_consents(session, SYSTEM, now=consent.expires_at - timedelta(days=2)) == 0
    assert templates(session, email_of(session, parent)).count("consent_ending") == 1


def test_an_ended_consent_is_renewed_in_the_service_and_is_the_same_consent(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent = create_parent(session)
    consent = create_consent(session, provider_user, parent, create_child(session, parent))
    with pytest.raises(DomainError) as early:
        service.reconfirm_consent(session, parent, consent.id)
    assert early.value.code == "consent_not_due_for_renewal"
    service.warn_ending_consents(session, SYSTEM, now=consent.expires_at - timedelta(days=20))
    service.expire_consents(session, SYSTEM, now=consent.expires_at + timedelta(seconds=1))
    session.refresh(consent)
    assert consent.status is ConsentStatus.EXPIRED
    renewed = service.reconfirm_consent(session, parent, consent.id)
    assert renewed.id == consent.id and renewed.status is ConsentStatus.AUTHORISED
    assert renewed.expires_at > utcnow() + timedelta(days=300) and renewed.ending_warnings_sent == 0
    assert templates(session, email_of(session, parent))[-1] == "consent_given"


def test_stopped_and_declined_consents_can_not_be_renewed(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent = create_parent(session)
    consent = create_consent(session, provider_user, parent, create_child(session, parent))
    service.revoke_consent(session, parent, consent.id)
    with pytest.raises(DomainError) as refused:
        service.reconfirm_consent(session, parent, consent.id)
    assert refused.value.code == "consent_not_renewable"


def parent_templates(world: World) -> list[str]:
    return templates(world.session, email_of(world.session, world.parent))


def test_the_parent_hears_when_dwp_approves_and_pays_an_invoice(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    assert parent_templates(world)[-1] == "invoice_approved"
    approved = emails(session, email_of(session, world.parent))[-1].rendered()
    assert "£807.50" in approved.body and "You owe" in approved.body
    batch = world.approved_batch()
    invoicing.submit_batch(session, world.officer, batch.id)
    payment = batch.payments[0]
    invoicing.record_payment_sent(session, SYSTEM, payment.id, "tr_1")
    invoicing.record_payment_paid(session, SYSTEM, payment.id)
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID
    paid = emails(session, email_of(session, world.parent))[-1]
    assert paid.template == "invoice_paid" and invoice.invoice_number in paid.rendered().subject


def test_many_payments_paid_at_once_each_tell_their_parent(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    invoicing.submit_batch(session, world.officer, batch.id)
    payment = batch.payments[0]
    invoicing.record_payment_sent(session, SYSTEM, payment.id, "tr_1")
    session.execute(delete(Notification))
    session.commit()
    assert invoicing.record_payments_paid(session, world.officer, [payment.id]) == 1
    [paid] = emails(session, email_of(session, world.parent))
    assert paid.template == "invoice_paid" and paid.reference == f"paid-{invoice.id}"


def test_a_held_then_rejected_invoice_tells_the_parent_the_reason_words_never_the_note(
    session: Session,
) -> None:
    world = World(session)
    invoice = world.submit(hours="700")  # implausible hours: held for a person by the checks
    invoicing.confirm_invoice(session, world.parent, invoice.id)
    invoicing.run_automatic_checks(session, SYSTEM)
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.ON_HOLD
    assert parent_templates(world)[-1] == "invoice_held"
    note = "Phoned the nursery manager: the register shows 40 hours"
    invoicing.reject_invoice(session, world.caseworker, invoice.id, note, "not_eligible")
    rejected = emails(session, email_of(session, world.parent))[-1]
    body = rejected.rendered().body
    assert rejected.template == "invoice_rejected" and "the care is not eligible childcare" in body
    assert note not in body and "register" not in body


def test_a_decided_dispute_tells_the_parent_the_outcome(session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    invoicing.dispute_invoice(session, world.parent, invoice.id, "Zara was away a week")
    invoicing.approve_invoice(session, world.caseworker, invoice.id, "Register checked", "dispute_not_upheld")
    decided = emails(session, email_of(session, world.parent))[-1]
    body = decided.rendered().body
    assert decided.template == "dispute_decided"
    assert "The parent’s dispute is not upheld" in body and "DWP pays" in body
    assert "Register checked" not in body


def test_a_welsh_parent_hears_in_welsh_why_dwp_is_checking_an_invoice_held_by_the_scheduler(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler runs each job on a thread of its own, which has no app context: the reason
    in "DWP is checking" is still made in the parent's language, as a caseworker's is."""
    world = World(session)
    session.get_one(Parent, world.parent.parent_id).language = "cy"
    session.commit()
    invoice = world.submit(hours="700")  # implausible hours: held for a person by the checks
    invoicing.confirm_invoice(session, world.parent, invoice.id)
    jobs: list[tuple[object, list[object]]] = []

    class Scheduler:  # what run_scheduler hands APScheduler, run here as its pool would run it
        def __init__(self, **_settings: object) -> None:
            pass

        def add_job(self, function: object, _trigger: str, args: list[object], **_more: object) -> None:
            jobs.append((function, args))

        def start(self) -> None:
            pass

    monkeypatch.setattr("apscheduler.schedulers.blocking.BlockingScheduler", Scheduler)
    run_scheduler(database().session_factory)
    function, args = next((f, a) for f, a in jobs if "check-confirmed-invoices" in a)
    worker = threading.Thread(target=function, args=args)  # type: ignore[arg-type]
    worker.start()
    worker.join()
    held = emails(session, email_of(session, world.parent))[-1]
    body = held.rendered().body
    assert (held.template, held.language) == ("invoice_held", "cy")
    assert "(mae rhai anfonebau'n cael eu gwirio gan berson)" in body and "checked" not in body
    with app.test_request_context("/finance/review"):  # a caseworker's page, in English
        invoicing.reject_invoice(session, world.caseworker, invoice.id, "Register checked", "not_eligible")
    rejected = emails(session, email_of(session, world.parent))[-1].rendered().body
    assert "Y rheswm: nid yw'r gofal yn ofal plant cymwys." in rejected and "eligible" not in rejected
