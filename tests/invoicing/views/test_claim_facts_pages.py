"""What parents and DWP staff read when the claim's facts decide what DWP pays, over HTTP: a held
invoice promises nothing and says why (page, home page, email); a most that falls below what DWP
has paid or promised is said plainly; staff see the award's limit on the invoice and the batch;
a caseworker can reject for the claim without telling the nursery the parent's facts."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.notify import Notification
from invoicing import service
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password
from tests.http import sign_in_parent, sign_in_provider, sign_in_staff
from tests.invoicing.service.test_claim_facts import claim_of

NOT_WORKING = "were not in paid work in this assessment period"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'")


def test_an_invoice_the_claim_holds_promises_nothing_and_says_why(
    live_server: LiveServer, db: Session
) -> None:
    world = World(db)
    claim_of(db, world, work_condition_met=False)
    invoice = world.submit(eligible_pence=50_000, extras_pence=0)
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    confirmed = parent.submit(parent.get(f"/account/invoices/{invoice.id}"), "Confirm invoice")
    page = _text(confirmed.text)
    assert "You confirmed the invoice. DWP will check it before it pays anything." in page
    assert "pay its share to your provider" not in page
    assert "DWP would pay £425.00" in page and "DWP pays your provider" not in page
    assert NOT_WORKING in page

    db.expire_all()  # confirmed over HTTP, in the app's own session
    service.run_automatic_checks(db, world.caseworker)
    home = _text(parent.get("/account/home").text)
    assert "DWP is checking 1 invoice you confirmed, for £500.00, before it pays anything for it." in home
    assert NOT_WORKING in home and "If DWP cannot pay, you owe your provider the whole invoice." in home
    assert f"DWP will pay {world.provider.name}" not in home  # no amount promised for it
    assert "DWP will pay your providers £0.00" in home
    email = db.scalars(select(Notification).where(Notification.template == "invoice_held")).one()
    assert NOT_WORKING in email.rendered().body


def test_a_most_below_what_dwp_paid_or_promised_is_said_plainly(live_server: LiveServer, db: Session) -> None:
    world = World(db)
    claim = claim_of(db, world)
    world.approved_invoice(eligible_pence=50_000, extras_pence=0)  # DWP's share £425, promised
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    assert "more than the most it pays" not in parent.get("/account/periods").text
    claim.childcare_element_pence = 30_000  # the award, calculated since, allows £300
    db.commit()
    page = _text(parent.get("/account/periods").text)
    assert (
        "DWP has paid, or expects to pay, your providers more than the most it pays for this period (£300.00)"
        in page
    )
    assert "DWP works out its share again" in page


def test_staff_see_the_awards_limit_on_the_invoice_and_the_batch(
    live_server: LiveServer, db: Session
) -> None:
    world = World(db)
    claim_of(db, world, childcare_element_pence=30_000)
    invoice = world.approved_invoice(eligible_pence=50_000, extras_pence=0)
    batch = world.approved_batch()
    staff, _ = sign_in_staff(live_server.url, world.approver.label)
    page = _text(staff.get(f"/finance/invoices/{invoice.id}").text)
    assert "Award’s childcare element £300.00: the most DWP pays in this period" in page
    assert "£300.00 (limited by the award)" in page and "Left £0.00" in page
    assert "1 invoice limited by the award" in _text(staff.get(f"/finance/batches/{batch.id}").text)


def test_a_rejection_for_the_claim_tells_the_nursery_nothing_of_the_parents_facts(
    live_server: LiveServer, db: Session
) -> None:
    world = World(db)
    claim_of(db, world, work_condition_met=False)
    invoice = world.submit(eligible_pence=50_000, extras_pence=0)
    service.confirm_invoice(db, world.parent, invoice.id)
    service.run_automatic_checks(db, world.caseworker)
    service.reject_invoice(
        db, world.caseworker, invoice.id, "Not working since March", reason_code="claim_does_not_allow"
    )
    secret = give_password(db, world.provider_user, second_factor=True)
    nursery, _ = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    seen = _text(nursery.get(f"/provider/invoices/{invoice.id}").text)
    assert "Universal Credit cannot pay this childcare: the parent has been told why" in seen
    assert "Not working since March" not in seen  # DWP's own note
    assert "paid work" not in seen and "work condition" not in seen.lower()  # the parent's facts
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    assert "Universal Credit cannot pay this childcare" in _text(
        parent.get(f"/account/invoices/{invoice.id}").text
    )
