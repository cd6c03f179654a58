"""The parent's invoices and assessment periods over HTTP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from config.auth import SYSTEM
from config.money import format_pence
from invoicing import service
from invoicing.entitlement import childcare_award, monthly_cap_pence
from invoicing.models import Invoice, InvoiceStatus
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    World,
    create_child,
    create_consent,
    create_parent,
    give_password,
    invoice_input,
    today,
)
from tests.http import sign_in_parent, sign_in_provider


def test_a_parent_confirms_an_invoice_showing_both_shares(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.submit(eligible_pence=95_000, extras_pence=4_000)
    user, home = sign_in_parent(live_server.url, world.parent.label)
    listing = user.get("/account/invoices")
    assert "Waiting for you to confirm" in listing.text and invoice.invoice_number in listing.text
    page = user.get(f"/account/invoices/{invoice.id}")
    for text in ("£807.50", "£182.50", "£990.00", "Full days", "Meals", "Sent by the provider"):
        assert text in page.text
    confirmed = user.submit(page, "Confirm invoice")
    assert "You confirmed the invoice" in confirmed.text and "You confirmed it" in confirmed.text
    db.expire_all()
    assert db.get(Invoice, invoice.id).status is InvoiceStatus.CONFIRMED
    assert home.status_code == 200


def test_a_parent_disputes_an_invoice_with_a_reason(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.submit()
    user, _ = sign_in_parent(live_server.url, world.parent.label)
    form = user.get(f"/account/invoices/{invoice.id}/dispute")
    empty = user.submit(form, "Send to DWP", reason="  ")
    assert empty.status_code == 400 and "Enter why you disagree with the invoice" in empty.text
    sent = user.submit(empty, "Send to DWP", reason="Zara was on holiday the first week")
    assert urlsplit(sent.url).path == f"/account/invoices/{invoice.id}"
    db.expire_all()
    stored = db.get(Invoice, invoice.id)
    assert (
        stored.status is InvoiceStatus.DISPUTED
        and stored.dispute_reason == "Zara was on holiday the first week"
    )


def test_another_parents_invoice_is_not_found_on_any_of_its_pages(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.submit()
    stranger = create_parent(db)
    user, _ = sign_in_parent(live_server.url, stranger.label)
    for path in (f"/account/invoices/{invoice.id}", f"/account/invoices/{invoice.id}/dispute"):
        assert user.get(path).status_code == 404
    assert invoice.invoice_number not in user.get("/account/invoices").text


def figure(html: str, label: str) -> str:
    match = re.search(re.escape(label) + r"\s*</dt>\s*<dd[^>]*>\s*([^<]+?)\s*</dd>", html)
    assert match, label
    return match.group(1)


def test_the_period_page_shows_the_entitlement_modules_figures(live_server: LiveServer, db) -> None:
    world = World(db)
    sibling = create_child(db, world.parent, first_name="Kit")
    sibling_consent = create_consent(db, world.provider_user, world.parent, sibling)
    first = world.submit(eligible_pence=95_000, extras_pence=4_000)
    second = service.submit_invoice(
        db, world.provider_user, invoice_input(sibling_consent, eligible_pence=120_000, extras_pence=0)
    )
    assert first.ap_start == second.ap_start
    cap = monthly_cap_pence(2, first.ap_start)
    expected_dwp = (
        childcare_award(95_000, 2, first.ap_start).dwp_pence
        + childcare_award(120_000, 2, first.ap_start).dwp_pence
    )
    expected_dwp = min(expected_dwp, cap)
    user, _ = sign_in_parent(live_server.url, world.parent.label)
    page = user.get("/account/periods")
    # Nothing is confirmed yet: nothing paid or owed, but both keep their part of the maximum.
    assert figure(page.text, "DWP will pay your providers") == "£0.00"
    assert figure(page.text, "You owe your providers") == "£0.00"
    assert figure(page.text, "Most DWP pays this period") == format_pence(cap)
    assert figure(page.text, "Left before the most DWP pays") == format_pence(cap - expected_dwp)
    assert (
        f"2 invoices in this period are waiting for you to confirm. If you confirm them, DWP expects "
        f"to pay {format_pence(expected_dwp)} and you would owe "
        f"{format_pence(95_000 + 4_000 + 120_000 - expected_dwp)}."
    ) in page.text
    service.confirm_invoice(db, world.parent, first.id)
    db.refresh(first)
    page = user.get("/account/periods")
    assert figure(page.text, "DWP will pay your providers") == format_pence(first.dwp_pence)
    assert figure(page.text, "You owe your providers") == format_pence(first.claimant_pence)
    assert "1 invoice in this period is waiting for you to confirm." in page.text
    earlier = re.findall(r'href="(/account/periods/\d{4}-\d{2}-\d{2})"', page.text)
    assert earlier and "No invoices count in this period yet." in user.get(earlier[0]).text
    assert user.get("/account/periods/2001-01-01").status_code == 404


def test_one_page_says_what_dwp_pays_this_month_what_is_owed_and_who_may_bill(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    invoice = world.submit(eligible_pence=95_000, extras_pence=4_000)
    user, home = sign_in_parent(live_server.url, world.parent.label)
    assert urlsplit(home.url).path == "/account/home"
    # Waiting for the parent: not money paid or owed yet.
    assert figure(home.text, "DWP will pay your providers") == "£0.00"
    assert figure(home.text, "You owe your providers") == "£0.00"
    assert "1 invoice is waiting for you to confirm." in home.text
    assert f"DWP expects to pay {format_pence(invoice.dwp_pence)}" in home.text
    service.confirm_invoice(db, world.parent, invoice.id)
    home = user.get("/account/home")
    assert figure(home.text, "DWP will pay your providers") == format_pence(invoice.dwp_pence)
    assert figure(home.text, "DWP has paid your providers") == "£0.00"
    assert figure(home.text, "You owe your providers") == format_pence(invoice.claimant_pence)
    assert f"You owe {world.provider.name} {format_pence(invoice.claimant_pence)}" in home.text
    assert "waiting for you to confirm" not in home.text
    assert f'href="/account/consents/{world.consent.id}/stop"' in home.text
    assert "DWP can help with childcare until" in home.text


def test_an_invoice_dwp_pays_nothing_for_says_so_to_the_parent_and_the_nursery(
    live_server: LiveServer, db
) -> None:
    """Another nursery's invoice used the parent's monthly maximum: this one ends "nothing to pay"."""
    world, other = World(db), World(db)
    consent = create_consent(db, other.provider_user, world.parent, world.child)
    full = world.submit(eligible_pence=monthly_cap_pence(1, today()) * 2, extras_pence=0)
    empty = service.submit_invoice(
        db, other.provider_user, invoice_input(consent, eligible_pence=50_000, extras_pence=1_000)
    )
    for invoice in (full, empty):
        service.confirm_invoice(db, world.parent, invoice.id)
        service.run_automatic_checks(db, SYSTEM)
        service.approve_invoice(db, world.caseworker, invoice.id, "The parent knows the limit")
    world.approved_batch()
    db.expire_all()
    assert db.get_one(Invoice, empty.id).status is InvoiceStatus.NOTHING_TO_PAY

    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    page = parent.get(f"/account/invoices/{empty.id}")
    assert "DWP pays nothing: you owe the whole amount" in page.text
    assert "your monthly maximum for this assessment period was already used" in page.text
    assert "£510.00" in page.text
    secret = give_password(db, other.provider_user, second_factor=True)
    nursery, _ = sign_in_provider(live_server.url, other.provider.users[0].email, PASSWORD, secret)
    theirs = nursery.get(f"/provider/invoices/{empty.id}")
    assert "DWP pays nothing: the parent owes the whole amount" in theirs.text
    assert "so they owe you the whole amount" in theirs.text


def test_a_capped_share_is_explained_and_a_rejected_invoice_shows_nothing_paid(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    cap = monthly_cap_pence(1, today())
    capped = world.submit(eligible_pence=cap * 2, extras_pence=0)
    assert capped.dwp_pence == cap
    user, _ = sign_in_parent(live_server.url, world.parent.label)
    reason = (
        f"DWP would pay {format_pence(cap)}, not 85% of the eligible costs "
        f"({format_pence(cap * 2 * 85 // 100)}), "
        f"because the most DWP pays towards childcare in one assessment period is {format_pence(cap)}"
    )
    assert reason in user.get(f"/account/invoices/{capped.id}").text
    assert reason in user.get("/account/periods").text
    assert (
        "The most DWP pays this period lowered what it pays on 1 invoice." in user.get("/account/home").text
    )

    service.confirm_invoice(db, world.parent, capped.id)
    service.run_automatic_checks(db, SYSTEM)
    service.reject_invoice(db, world.caseworker, capped.id, "Not registered for this child", "not_eligible")
    page = user.get(f"/account/invoices/{capped.id}").text
    assert "Nothing: DWP decided not to pay this invoice" in page
    assert "The care is not eligible childcare" in page and "Not registered for this child" not in page
    assert (
        format_pence(cap)
        not in page.split("What the invoice is for")[0].split("Total")[1].split("Counts in")[0]
    )
    listing = user.get("/account/invoices").text
    assert format_pence(capped.dwp_pence) not in listing
