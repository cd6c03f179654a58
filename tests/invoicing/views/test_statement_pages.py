"""The statements to the award calculation over HTTP: DWP's finance page lists statements, their
versions, breaks and award differences; the parent sees their own difference on the period page."""

from __future__ import annotations

import html

from sqlalchemy import select

from claimants.models import Parent
from claims.models import DevClaim
from config.auth import SYSTEM, StaffRole
from config.extensions import database
from config.money import format_pence
from config.scheduler import run_job
from invoicing import service
from invoicing.models import ApStatement
from invoicing.service import awards
from tests.conftest import LiveServer
from tests.factories import World, create_child, create_consent, create_parent, create_staff, invoice_input
from tests.http import sign_in_parent, sign_in_staff


def pay_all(db, world: World):
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    for payment in batch.payments:
        service.record_payment_sent(db, SYSTEM, payment.id, f"tr_{payment.id}")
        service.record_payment_paid(db, SYSTEM, payment.id)
    return batch


def test_finance_staff_see_statements_versions_breaks_and_award_differences(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    first = world.approved_invoice()
    batch = pay_all(db, world)
    run_job(database().session_factory, "send-statements")
    sibling = create_child(db, world.parent, first_name="Kit")
    consent = create_consent(db, world.provider_user, world.parent, sibling)
    second = service.submit_invoice(db, world.provider_user, invoice_input(consent))
    service.confirm_invoice(db, world.parent, second.id)
    service.run_automatic_checks(db, SYSTEM)
    pay_all(db, world)  # version 2, not sent yet
    parent = db.get_one(Parent, world.parent.parent_id)
    db.add(
        DevClaim(
            reference=parent.uc_claim_reference,
            claim_start_date=parent.claim_start_date,
            childcare_element_pence=first.dwp_pence,  # lower than both invoices' shares
        )
    )
    db.commit()
    awards.check_awards(db, SYSTEM)
    create_staff(db, StaffRole.FINANCE_OFFICER, name="Fran Officer")
    officer, home = sign_in_staff(live_server.url, "Fran Officer")
    assert "/finance/statements" in home.text
    page = officer.get("/finance/statements")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Version 1" in text and "Version 2" in text
    assert "Corrected" in text and "Current" in text and "Not sent yet" in text
    sent = db.scalars(select(ApStatement).where(ApStatement.version == 1)).one()
    assert f"Receipt {sent.receipt}" in text
    db.refresh(second)
    assert "No breaks" in text
    assert format_pence(second.dwp_pence) in text.split('id="differences"')[1].split('id="statements"')[0]
    assert parent.name in text
    assert batch.payments  # the nursery's payments stand: nothing on the page changes them

    # A caseworker is not shown the page; a parent never is.
    create_staff(db, StaffRole.CASEWORKER, name="Cas Worker")
    caseworker, _ = sign_in_staff(live_server.url, "Cas Worker")
    assert caseworker.get("/finance/statements").status_code == 403


def test_the_parent_sees_their_own_award_difference_and_no_one_elses(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.approved_invoice()
    pay_all(db, world)
    parent = db.get_one(Parent, world.parent.parent_id)
    db.add(
        DevClaim(
            reference=parent.uc_claim_reference,
            claim_start_date=parent.claim_start_date,
            childcare_element_pence=invoice.dwp_pence - 12_345,
        )
    )
    db.commit()
    assert awards.check_awards(db, SYSTEM)["differences"] == 1
    user, _ = sign_in_parent(live_server.url, world.parent.label)
    page = user.get(f"/account/periods/{invoice.ap_start.isoformat()}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "Your Universal Credit award allows less childcare than DWP paid" in text
    assert f"The difference, {format_pence(12_345)}, is recorded against your Universal Credit claim" in text
    assert "It is not taken back from your providers" in text

    other = create_parent(db, claim_start=parent.claim_start_date)
    stranger, _ = sign_in_parent(live_server.url, other.label)
    theirs = stranger.get(f"/account/periods/{invoice.ap_start.isoformat()}")
    assert theirs.status_code == 200 and "award allows less childcare" not in theirs.text
