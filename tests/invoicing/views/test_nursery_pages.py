"""The nursery portal's invoice and payment pages, used over HTTP as nursery staff use them."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

from sqlalchemy import select

from claimants.models import Consent
from config.auth import SYSTEM
from invoicing import service
from invoicing.models import CreditNote, Invoice, InvoiceDraft, InvoiceStatus, PaymentAllocation
from providers.models import Provider, ProviderStatus, ProviderUser
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    World,
    create_child,
    create_consent,
    create_provider_user,
    invoice_input,
    previous_month,
)
from tests.http import forms, sign_in_provider


def path(response) -> str:
    return urlsplit(response.url).path


def staff_of(live_server: LiveServer, db, world: World):
    """A member of the provider's staff, signed in to the portal."""
    colleague = create_provider_user(db, world.provider, world.provider_user)
    user, _ = sign_in_provider(live_server.url, db.get_one(ProviderUser, colleague.id).email, PASSWORD)
    return user


def pay(db, world: World, invoice: Invoice) -> None:
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    payment = batch.payments[0]
    service.record_payment_sent(db, SYSTEM, payment.id, "tr_1")
    service.record_payment_paid(db, SYSTEM, payment.id)
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAID


def test_nursery_staff_ask_for_consent_by_email(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff_of(live_server, db, world)
    page = user.get("/provider/consents/ask")
    bad = user.submit(page, "Send request", parent_email="nope", child_first_name="")
    assert bad.status_code == 400 and "Enter the child’s first name" in bad.text
    done = user.submit(bad, "Send request", parent_email="ola@example.com", child_first_name="Ola")
    assert "We have emailed ola@example.com to ask for consent" in done.text
    assert "Ola" in done.text and "Waiting for the parent" in done.text and "Waiting for you" not in done.text
    consent = db.scalars(select(Consent).where(Consent.requested_email == "ola@example.com")).one()
    assert consent.provider_id == world.provider.id


def test_an_invoice_shows_what_dwp_and_the_parent_pay_before_it_is_sent(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff_of(live_server, db, world)
    form = user.get("/provider/invoices/new")
    start, end = previous_month()
    fields = {
        "consent": str(world.consent.id),
        "invoice_number": "INV-77",
        "issued_on": [str(end.day), str(end.month), str(end.year)],
        "care_from": [str(start.day), str(start.month), str(start.year)],
        "care_to": [str(end.day), str(end.month), str(end.year)],
    }
    fields_on_page = next(f.fields for f in forms(form) if "invoice_number" in f.fields)
    assert {"lines-0-description", "lines-0-hours", "lines-0-amount"} <= set(fields_on_page)
    no_lines = user.submit(form, "Continue", **fields)
    assert no_lines.status_code == 400 and "Add at least one line" in no_lines.text
    bad_amount = user.submit(
        form, "Continue", **fields, **{"lines-0-description": "Full days", "lines-0-amount": "950.001"}
    )
    assert "Line 1: Amount must not have more than 2 decimal places" in bad_amount.text
    check = user.submit(
        form,
        "Continue",
        **fields,
        **{
            "lines-0-description": "Full days",
            "lines-0-hours": "120",
            "lines-0-amount": "950.00",
            "lines-0-eligible": "yes",
            "lines-1-description": "Meals",
            "lines-1-amount": "40",
            "lines-1-eligible": "no",
        },
    )
    assert path(check) == "/provider/invoices/new/check"
    assert "DWP expects to pay" in check.text and "£807.50" in check.text
    assert "The parent owes you" in check.text and "£182.50" in check.text
    assert db.scalars(select(Invoice)).all() == []  # nothing sent yet
    sent = user.submit(check, "Send invoice")
    invoice = db.scalars(select(Invoice)).one()
    assert path(sent) == f"/provider/invoices/{invoice.id}"
    assert "Invoice INV-77 has been sent to the parent to confirm" in sent.text
    assert "Waiting for the parent" in sent.text and "You sent it" in sent.text
    assert (invoice.total_pence, invoice.dwp_pence, invoice.source) == (99_000, 80_750, "portal")


def test_a_provider_not_yet_verified_can_prepare_but_not_send(live_server: LiveServer, db) -> None:
    world = World(db)
    provider = db.get_one(Provider, world.provider.id)
    provider.status = ProviderStatus.PENDING_VERIFICATION  # as if DWP had not verified it yet
    db.commit()
    user = staff_of(live_server, db, world)
    start, end = previous_month()
    check = user.submit(
        user.get("/provider/invoices/new"),
        "Continue",
        consent=str(world.consent.id),
        invoice_number="INV-1",
        issued_on=[str(end.day), str(end.month), str(end.year)],
        care_from=[str(start.day), str(start.month), str(start.year)],
        care_to=[str(end.day), str(end.month), str(end.year)],
        **{"lines-0-description": "Full days", "lines-0-amount": "100"},
    )
    assert "£85.00" in check.text
    assert "Send invoice" not in check.text and "you cannot send invoices yet" in check.text
    form = next(f for f in forms(check) if "Save as draft" in f.buttons)
    refused = user.http.post(check.url, data=form.fields, timeout=30)  # a send, whatever the page offers
    assert (
        refused.status_code == 400
        and "DWP must verify the setting before it can submit invoices" in refused.text
    )
    assert db.scalars(select(Invoice)).all() == []
    saved = user.submit(refused, "Save as draft")
    assert path(saved) == "/provider/invoices/drafts" and "INV-1" in saved.text
    draft = db.scalars(select(InvoiceDraft)).one()
    assert (draft.invoice_number, draft.consent_id, draft.care_from) == ("INV-1", world.consent.id, start)


def test_the_invoice_list_filters_by_status_childs_name_and_month(live_server: LiveServer, db) -> None:
    world = World(db)
    other_child = create_child(db, world.parent, first_name="Rosa")
    other_consent = create_consent(db, world.provider_user, world.parent, other_child)
    sam = world.submit(number="SAM-1")
    rosa = service.submit_invoice(db, world.provider_user, invoice_input(other_consent, number="ROSA-1"))
    service.cancel_invoice(db, world.provider_user, rosa.id, "sent by mistake")
    user = staff_of(live_server, db, world)
    everything = user.get("/provider/invoices").text
    assert "SAM-1" in everything and "ROSA-1" in everything
    cancelled = user.get("/provider/invoices", params={"status": "cancelled"}).text
    assert "ROSA-1" in cancelled and "SAM-1" not in cancelled
    for name in ("sam", "SAM TEST", "  Sam   Test "):  # any part of the name, any case or spacing
        by_name = user.get("/provider/invoices", params={"name": name}).text
        assert "SAM-1" in by_name and "ROSA-1" not in by_name
    for name in ("%", "_am", "Rosalind"):  # a wildcard is only a character to look for
        assert "SAM-1" not in user.get("/provider/invoices", params={"name": name}).text
    month = sam.care_from.strftime("%Y-%m")
    assert "SAM-1" in user.get("/provider/invoices", params={"period": month}).text
    assert "SAM-1" not in user.get("/provider/invoices", params={"period": "2001-01"}).text
    wrong = user.get("/provider/invoices", params={"period": "last month"})
    assert "Enter the month as year and month" in wrong.text


def test_staff_cancel_an_unpaid_invoice_with_a_reason(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.submit()
    user = staff_of(live_server, db, world)
    page = user.get(f"/provider/invoices/{invoice.id}/cancel")
    missing = user.submit(page, "Cancel invoice", reason="")
    assert missing.status_code == 400 and "Enter why you are cancelling the invoice" in missing.text
    done = user.submit(missing, "Cancel invoice", reason="Wrong month")
    assert "is cancelled" in done.text and "Cancelled" in done.text and "Wrong month" in done.text
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.CANCELLED


def test_a_credit_note_after_payment_comes_off_the_next_payment(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.approved_invoice()
    pay(db, world, invoice)
    user = staff_of(live_server, db, world)
    page = user.get(f"/provider/invoices/{invoice.id}")
    assert "Issue a credit note" in page.text and "Cancel invoice" not in page.text
    form = user.get(f"/provider/invoices/{invoice.id}/credit-note")
    too_much = user.submit(form, "Issue credit note", amount="900", reason="Absent")
    assert too_much.status_code == 400 and "Amount must be £807.50 or less" in too_much.text
    done = user.submit(form, "Issue credit note", amount="50", reason="Absent two days")
    assert "Credit note for £50.00 recorded" in done.text and "comes off your next payment" in done.text
    note = db.scalars(select(CreditNote)).one()
    assert (note.amount_pence, note.payment_id) == (5_000, None)

    rosa = create_child(db, world.parent, first_name="Rosa")
    second = service.submit_invoice(
        db, world.provider_user, invoice_input(create_consent(db, world.provider_user, world.parent, rosa))
    )
    service.confirm_invoice(db, world.parent, second.id)
    service.run_automatic_checks(db, SYSTEM)
    db.refresh(second)
    batch = world.approved_batch()
    payment = batch.payments[0]
    assert (payment.amount_pence, payment.credit_pence) == (second.dwp_pence - 5_000, 5_000)
    db.refresh(note)
    assert note.payment_id == payment.id
    service.cancel_batch(db, world.officer, batch.id, "wrong day")
    db.refresh(note)
    assert note.payment_id is None  # outstanding again: the payment will not be made


def test_remittance_advice_lists_the_invoices_and_downloads_as_safe_csv(live_server: LiveServer, db) -> None:
    world = World(db)
    hostile = create_child(db, world.parent, first_name='=HYPERLINK("http://evil.example")')
    consent = create_consent(db, world.provider_user, world.parent, hostile)
    invoice = service.submit_invoice(db, world.provider_user, invoice_input(consent, number="-2+3"))
    service.confirm_invoice(db, world.parent, invoice.id)
    service.run_automatic_checks(db, SYSTEM)
    pay(db, world, invoice)
    user = staff_of(live_server, db, world)
    payments = user.get("/provider/payments")
    payment_id = invoice_payment_id(db, invoice)
    assert f"/provider/payments/{payment_id}" in payments.text
    remittance = user.get(f"/provider/payments/{payment_id}")
    assert "-2+3" in remittance.text and "£807.50" in remittance.text
    download = user.get(f"/provider/payments/{payment_id}/remittance.csv")
    assert download.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["payment_reference", "invoice_number", "child"]
    assert rows[1][1] == "'-2+3" and rows[1][2].startswith("'=HYPERLINK")  # shown as text, never run
    assert rows[1][5] == "80750"


def invoice_payment_id(db, invoice: Invoice):
    return db.scalars(
        select(PaymentAllocation.payment_id).where(PaymentAllocation.invoice_id == invoice.id)
    ).one()


def test_another_providers_invoice_and_payment_are_not_found(live_server: LiveServer, db) -> None:
    mine, theirs = World(db), World(db)
    invoice = theirs.approved_invoice()
    pay(db, theirs, invoice)
    user = staff_of(live_server, db, mine)
    payment_id = invoice_payment_id(db, invoice)
    for url in (
        f"/provider/invoices/{invoice.id}",
        f"/provider/invoices/{invoice.id}/cancel",
        f"/provider/invoices/{invoice.id}/credit-note",
        f"/provider/payments/{payment_id}",
        f"/provider/payments/{payment_id}/remittance.csv",
    ):
        assert user.get(url).status_code == 404, url
