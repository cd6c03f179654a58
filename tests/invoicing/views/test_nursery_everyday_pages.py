"""The nursery's everyday pages over HTTP: the home page's counts, the invoice list's tags, totals
and export, drafts (saved, copied from last month, sent, deleted), and correcting a disputed invoice."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from config.database import utcnow
from config.money import format_pence
from invoicing import service
from invoicing.models import Invoice, InvoiceDraft, InvoiceStatus
from invoicing.service import drafts as draft_service
from invoicing.service.drafts import next_month
from tests.conftest import LiveServer
from tests.factories import World, create_child, create_consent, invoice_input, previous_month, today
from tests.http import forms
from tests.invoicing.views.test_nursery_pages import path, pay, staff_of


def test_next_month_keeps_the_day_and_the_end_of_a_month() -> None:
    from datetime import date

    assert next_month(date(2026, 1, 15)) == date(2026, 2, 15)
    assert next_month(date(2026, 1, 31)) == date(2026, 2, 28)
    assert next_month(date(2026, 4, 30)) == date(2026, 5, 31)  # a month's last day stays the last
    assert next_month(date(2026, 1, 30)) == date(2026, 2, 28)
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)


def test_the_home_page_counts_what_needs_doing_and_what_was_paid_this_month(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    paid = world.approved_invoice(number="PAID-1")
    pay(db, world, paid)
    world.submit(number="WAIT-1")
    disputed = world.submit(number="DISP-1")
    service.dispute_invoice(db, world.parent, disputed.id, "We were on holiday that week")
    held = world.submit(number="HOLD-1")
    service.confirm_invoice(db, world.parent, held.id)
    service.hold_invoice(db, world.caseworker, held.id, "Phoned the nursery, no answer yet")
    world.consent.expires_at = utcnow() + timedelta(days=10)
    db.commit()
    user = staff_of(live_server, db, world)

    home = user.get("/provider/home")
    assert "1 invoice is waiting for a parent to confirm it" in home.text
    assert "1 invoice is disputed by a parent" in home.text
    assert "DWP is checking 1 invoice" in home.text
    assert "Waiting for more information: 1" in home.text  # the reason's words…
    assert "Phoned the nursery" not in home.text  # …never the caseworker's note
    assert "1 consent ends within 30 days" in home.text
    assert f"DWP has paid you {_pounds(paid.dwp_pence)} in" in home.text and "in 1 payment." in home.text
    for link in ("status=awaiting_confirmation", "status=disputed", "status=on_hold", "show=ending"):
        assert link in home.text
    ending = user.get("/provider/consents", params={"show": "ending"})
    assert world.child.first_name in ending.text


def _pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def test_the_invoice_list_shows_tags_amounts_and_totals_and_exports_what_it_filters(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    rosa = create_child(db, world.parent, first_name="Rosa")
    rosa_consent = create_consent(db, world.provider_user, world.parent, rosa)
    sam = world.submit(number="SAM-1")
    other = service.submit_invoice(db, world.provider_user, invoice_input(rosa_consent, number="ROSA-1"))
    service.cancel_invoice(db, world.provider_user, other.id, "sent by mistake")
    user = staff_of(live_server, db, world)

    page = user.get("/provider/invoices")
    assert 'govuk-tag govuk-tag--light-blue">Waiting for the parent' in page.text
    assert 'govuk-tag govuk-tag--grey">Cancelled' in page.text
    assert _pounds(sam.claimant_pence) in page.text and "2 invoices in all." in page.text
    assert _pounds(sam.total_pence + other.total_pence) in page.text  # the totals row
    assert 'class="app-table-scroll" role="region"' in page.text

    waiting = user.get("/provider/invoices", params={"status": "awaiting_confirmation"})
    assert "1 invoice matches." in waiting.text and "ROSA-1" not in waiting.text
    export = user.get("/provider/invoices.csv", params={"status": "awaiting_confirmation"})
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Invoice number",
        "Child",
        "Care from",
        "Care to",
        "Invoice date",
        "Status",
        "Total (£)",
        "DWP pays (£)",
        "Parent pays (£)",
    ]
    assert len(rows) == 2
    number, child, _f, _t, _i, status, total, dwp, parent = rows[1]
    assert (number, child, status) == ("SAM-1", "Sam Test", "Waiting for the parent")
    assert (total, dwp, parent) == ("990.00", "807.50", "182.50")
    everything = list(csv.reader(io.StringIO(user.get("/provider/invoices.csv").content.decode("utf-8-sig"))))
    assert {row[0] for row in everything[1:]} == {"SAM-1", "ROSA-1"}


def test_save_as_draft_keeps_the_form_as_typed_and_a_draft_is_sent_once(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff_of(live_server, db, world)
    start, end = previous_month()
    form = user.get("/provider/invoices/new")
    half_done = {
        "consent": str(world.consent.id),
        "invoice_number": "D-1",
        "issued_on": ["", "", ""],
        "care_from": [str(start.day), str(start.month), ""],  # not finished: kept as it is
        "care_to": [str(end.day), str(end.month), str(end.year)],
        "lines-0-description": "Full days",
        "lines-0-amount": "950",
    }
    saved = user.submit(form, "Save as draft", **half_done)
    assert path(saved) == "/provider/invoices/drafts"
    assert "Your draft is saved" in saved.text and "D-1" in saved.text
    draft = db.scalars(select(InvoiceDraft)).one()
    assert (draft.invoice_number, draft.care_from, draft.care_to) == ("D-1", None, end)
    assert db.scalars(select(Invoice)).all() == []  # a draft is no invoice

    opened = user.get(f"/provider/invoices/drafts/{draft.id}")
    assert "Your draft invoice" in opened.text
    fields = next(f.fields for f in forms(opened) if "invoice_number" in f.fields)
    assert (fields["invoice_number"], fields["lines-0-description"], fields["lines-0-amount"]) == (
        "D-1",
        "Full days",
        "950",
    )
    assert f'value="{start.month}"' in opened.text and 'id="care_from-year"' in opened.text
    check = user.submit(
        opened,
        "Continue",
        issued_on=[str(end.day), str(end.month), str(end.year)],
        care_from=[str(start.day), str(start.month), str(start.year)],
        care_to=[str(end.day), str(end.month), str(end.year)],  # this helper keeps one box of three
        **{f"lines-{n}-eligible": "yes" for n in range(4)},  # selects: this helper reads only inputs
    )
    assert path(check) == "/provider/invoices/new/check" and "Change the draft" in check.text
    sent = user.submit(check, "Send invoice")
    invoice = db.scalars(select(Invoice)).one()
    assert path(sent) == f"/provider/invoices/{invoice.id}" and invoice.invoice_number == "D-1"
    assert db.scalars(select(InvoiceDraft)).all() == []  # sent: the draft is gone with it
    assert user.get(f"/provider/invoices/drafts/{draft.id}").status_code == 404


def test_copy_last_months_invoices_makes_drafts_a_month_on_once(live_server: LiveServer, db) -> None:
    world = World(db)
    start, end = previous_month()
    world.submit(number="NOV-1")
    # The same child's care from the same day on a second invoice: one draft for that care, ever.
    world.submit(number="NOV-3", care_to=start + timedelta(days=13))
    # An invoice the parent disputes is not copied: its copy would repeat what they say is wrong.
    disputed = world.submit(number="NOV-4", care_from=start + timedelta(days=14))
    service.dispute_invoice(db, world.parent, disputed.id, "Not there")
    cancelled = world.submit(number="NOV-2")
    service.cancel_invoice(db, world.provider_user, cancelled.id, "wrong child")
    user = staff_of(live_server, db, world)
    drafts = user.get("/provider/invoices/drafts")
    copied = user.submit(drafts, "Copy last month’s invoices")
    assert "We made 1 draft from last month’s invoices" in copied.text
    draft = db.scalars(select(InvoiceDraft)).one()
    assert (draft.care_from, draft.care_to, draft.invoice_number) == (
        next_month(start),
        next_month(end),
        None,
    )
    assert draft.care_to == (next_month(start) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    assert draft.consent_id == world.consent.id
    again = user.submit(copied, "Copy last month’s invoices")
    assert "There was nothing to copy" in again.text
    assert len(db.scalars(select(InvoiceDraft)).all()) == 1

    opened = user.get(f"/provider/invoices/drafts/{draft.id}")
    fields = next(f.fields for f in forms(opened) if "invoice_number" in f.fields)
    assert fields["lines-0-description"] == "Full days" and fields["lines-0-amount"] == "950.00"
    assert fields["lines-1-description"] == "Meals" and fields["lines-0-hours"] == "120"
    assert f'value="{today().day}"' in opened.text  # dated today

    delete = user.get(f"/provider/invoices/drafts/{draft.id}/delete")
    gone = user.submit(delete, "Delete draft")
    assert "The draft is deleted" in gone.text
    assert db.scalars(select(InvoiceDraft)).all() == []
    others = World(db)
    theirs = draft_service.save_draft(db, others.provider_user, {"invoice_number": ["X-1"]})
    for url in (f"/provider/invoices/drafts/{theirs.id}", f"/provider/invoices/drafts/{theirs.id}/delete"):
        assert user.get(url).status_code == 404


def test_a_disputed_invoice_is_cancelled_and_a_corrected_one_opens_filled_in(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    invoice = world.submit(number="OOPS-1")
    service.dispute_invoice(db, world.parent, invoice.id, "Meals were not eaten")
    user = staff_of(live_server, db, world)
    page = user.get(f"/provider/invoices/{invoice.id}")
    assert "Meals were not eaten" in page.text and "Cancel it and send a corrected invoice" in page.text
    question = user.get(f"/provider/invoices/{invoice.id}/correct")
    missing = user.submit(question, "Cancel it and correct it", reason="")
    assert missing.status_code == 400 and "Enter why you are cancelling the invoice" in missing.text
    corrected = user.submit(missing, "Cancel it and correct it", reason="Meals charged by mistake")
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.CANCELLED
    assert path(corrected) == "/provider/invoices/new" and "Invoice OOPS-1 is cancelled" in corrected.text
    fields = next(f.fields for f in forms(corrected) if "invoice_number" in f.fields)
    assert fields["invoice_number"] == "" and fields["lines-1-description"] == "Meals"
    assert f'value="{world.consent.id}" checked' in corrected.text
    # Only a disputed invoice offers it.
    other = world.approved_invoice(number="FINE-1")
    assert "Cancel it and send a corrected invoice" not in user.get(f"/provider/invoices/{other.id}").text
    assert path(user.get(f"/provider/invoices/{other.id}/correct")) == f"/provider/invoices/{other.id}"


def test_a_rejected_invoice_is_not_money_dwp_pays_on_the_nursery_pages(live_server: LiveServer, db) -> None:
    world = World(db)
    kept = world.submit(number="KEPT-1")
    rejected = world.submit(number="REJ-1")
    service.dispute_invoice(db, world.parent, rejected.id, "Not there")
    service.reject_invoice(db, world.caseworker, rejected.id, "checked", "dispute_upheld")
    user = staff_of(live_server, db, world)
    listing = user.get("/provider/invoices").text
    totals = listing.split("<tfoot>", 1)[1]
    assert format_pence(kept.dwp_pence) in totals
    assert format_pence(kept.dwp_pence + rejected.dwp_pence) not in totals
    page = user.get(f"/provider/invoices/{rejected.id}").text
    assert "Nothing" in page and format_pence(rejected.dwp_pence) not in page.split("DWP pays", 1)[1][:200]
    export = user.get("/provider/invoices.csv").content.decode("utf-8-sig")
    row = next(line for line in export.splitlines() if line.startswith("REJ-1"))
    assert row.endswith(",0.00,0.00"), row
