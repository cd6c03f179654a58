"""DWP staff's invoicing pages over HTTP: the review queue, batches with four eyes, Bacs, breaks, reports."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
import stripe
from sqlalchemy import select

from config.auth import StaffRole
from config.extensions import database
from config.scheduler import run_job
from invoicing import service
from invoicing.models import (
    BatchStatus,
    InvoiceStatus,
    Payment,
    PaymentBatch,
    PaymentStatus,
    ReconciliationBreak,
    StripeEvent,
)
from invoicing.rails import bacs
from invoicing.service import bacs_returns, reconciliation
from providers import payees
from tests.conftest import LiveServer
from tests.factories import World, create_staff, send_by_bacs
from tests.http import forms, sign_in_staff

WEBHOOK_SECRET = "whsec_test_finance"


@pytest.fixture
def live_overrides() -> dict[str, object]:
    return {"stripe_webhook_secret": WEBHOOK_SECRET}


def staff(live_server: LiveServer, db, role: StaffRole, name: str):
    create_staff(db, role, name=name)
    user, _ = sign_in_staff(live_server.url, name)
    return user


def path(response) -> str:
    return urlsplit(response.url).path


def test_a_caseworker_decides_a_flagged_invoice_with_a_reason(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.submit()
    service.confirm_invoice(db, world.parent, invoice.id)
    service.hold_invoice(db, world.caseworker, invoice.id, "checking")
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")
    queue = case.get("/finance/queue")
    assert invoice.invoice_number in queue.text
    page = case.get(f"/finance/invoices/{invoice.id}")
    missing = case.submit(page, "Record decision", decision="approve")
    assert missing.status_code == 400 and "Select a reason" in missing.text and "Enter a note" in missing.text
    done = case.submit(
        page, "Record decision", decision="approve", reason_code="checked_eligible", note="Rang the nursery"
    )
    assert path(done) == "/finance/queue" and "Decision recorded" in done.text
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.APPROVED
    # The reason code (whose words the nursery sees) and DWP's own note are kept apart.
    assert (invoice.decision_reason_code, invoice.decision_reason) == ("checked_eligible", "Rang the nursery")
    # DWP's page shows the reason in words, with the note beside it.
    assert "Checked: the care is eligible and the amounts are right: Rang the nursery" in html.unescape(
        case.get(f"/finance/invoices/{invoice.id}").text
    )

    auditor = staff(live_server, db, StaffRole.AUDITOR, "Aud Itor")
    assert auditor.get("/finance/queue").status_code == 200  # auditors may look
    token = auditor.get(f"/finance/invoices/{invoice.id}")
    assert "Record decision" not in token.text
    refused = auditor.http.post(f"{live_server.url}/finance/invoices/{invoice.id}", data={}, timeout=30)
    assert refused.status_code in (400, 403)  # no decision without the caseworker role
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.APPROVED


def test_a_batch_is_built_by_one_person_approved_by_another_and_paid_by_bacs(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    world.approved_invoice()
    officer = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")
    built = officer.submit(officer.get("/finance/batches"), "Build a batch now")
    batch = db.scalars(select(PaymentBatch)).one()
    assert path(built) == f"/finance/batches/{batch.id}"
    assert "Control totals" in built.text and world.provider.name in built.text and "£807.50" in built.text
    assert "Approve batch" not in built.text and "Femi Finance" in built.text  # who built it
    forced = officer.http.post(
        f"{built.url}/approve", data={"csrf_token": forms(built)[-1].fields["csrf_token"]}, timeout=30
    )
    assert forced.status_code == 403  # builders are not approvers
    db.expire_all()
    assert db.get_one(PaymentBatch, batch.id).status is BatchStatus.AWAITING_APPROVAL

    approver = staff(live_server, db, StaffRole.APPROVER, "Ann Approver")
    page = approver.get(f"/finance/batches/{batch.id}")
    asked = approver.submit(page, "Approve batch")
    assert "Approve £807.50 to 1 provider?" in asked.text and "account ending 4958" in asked.text
    approved = approver.submit(asked, "Yes, approve £807.50 to 1 provider")
    assert "Batch approved" in approved.text
    db.expire_all()
    batch = db.get_one(PaymentBatch, batch.id)
    assert batch.status is BatchStatus.APPROVED and batch.content_hash

    assert officer.get(f"/finance/batches/{batch.id}/bacs.txt").status_code == 403  # approvers only
    # Looking makes nothing: the file is made by pressing a button, and sent by another.
    assert approver.get(f"/finance/batches/{batch.id}/bacs.txt").status_code == 404
    made = approver.submit(approver.get(f"/finance/batches/{batch.id}"), "Make the Bacs file")
    assert "Bacs file" in made.text and "Not yet: its payments are not sent" in made.text
    download = approver.get(f"/finance/batches/{batch.id}/bacs.txt")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    parsed = bacs.parse(download.text)
    assert parsed.credit_total == batch.total_pence and parsed.credit_count == 1
    assert approver.get(f"/finance/batches/{batch.id}/bacs.txt").text == download.text  # the same file
    db.expire_all()
    assert {p.status for p in db.scalars(select(Payment))} == {PaymentStatus.CREATED}
    submitted = approver.submit(made, "Record the file as submitted to the bank")
    assert "its payments are on their way" in submitted.text
    db.expire_all()
    assert {p.status for p in db.scalars(select(Payment))} == {PaymentStatus.SENT}


def test_a_batch_can_be_cancelled_with_a_reason_before_it_is_sent(live_server: LiveServer, db) -> None:
    world = World(db)
    world.approved_invoice()
    batch = service.build_batch(db, world.officer)
    service.request_batch_approval(db, world.officer, batch.id)
    officer = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")
    page = officer.get(f"/finance/batches/{batch.id}")
    missing = officer.submit(page, "Cancel batch", reason="")
    assert missing.status_code == 400 and "Enter the reason" in missing.text
    done = officer.submit(page, "Cancel batch", reason="Wrong payment date")
    assert "Batch cancelled" in done.text
    db.expire_all()
    assert db.get_one(PaymentBatch, batch.id).status is BatchStatus.CANCELLED


def test_breaks_jobs_reports_and_exports(live_server: LiveServer, db) -> None:
    world = World(db)
    world.approved_invoice()
    batch = world.approved_batch()
    send_by_bacs(db, world.approver, batch.id)
    payment = db.scalars(select(Payment)).one()
    reconciliation.open_break(db, payment.id, "amount_pence", {"amount_pence": 1}, {"amount_pence": 2})
    run_job(database().session_factory, "expire-consents")
    officer = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")

    breaks = officer.get("/finance/breaks")
    assert payment.reference in breaks.text and "open 0 days" in breaks.text
    unchosen = officer.submit(breaks, "Resolve break", note="Stripe fixed their record")
    assert "Select what happened" in unchosen.text
    proposed = officer.submit(breaks, "Resolve break", outcome="written_off", note="1p: accepted")
    assert "Outcome proposed: another finance officer must confirm it" in proposed.text
    assert "You proposed this, so another finance officer must confirm it" in proposed.text
    assert "Confirm this outcome" not in proposed.text
    second = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Sam Second")
    waiting = second.get("/finance/breaks")
    assert "Femi Finance proposed: Write it off" in waiting.text and "1p: accepted" in waiting.text
    confirmed = second.submit(waiting, "Confirm this outcome")
    assert "Break resolved: the payment is settled" in confirmed.text
    assert "No open breaks" in confirmed.text
    db.expire_all()
    closed = db.scalars(select(ReconciliationBreak)).one()
    assert (closed.outcome, closed.resolution_note) == ("written_off", "1p: accepted")
    assert db.get_one(Payment, payment.id).status is PaymentStatus.PAID

    jobs = officer.get("/finance/jobs")
    assert (
        "expire-consents" in jobs.text and "Succeeded" in jobs.text and "submit-approved-batches" in jobs.text
    )

    reports = officer.get("/finance/reports")
    assert "<svg" in reports.text and "London" in reports.text and "£807.50" in reports.text
    assert "<table" in reports.text  # the same figures as a table beside the chart
    exported = officer.get("/finance/reports/payments.csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [
        (r["Reference"], r["Provider"], r["Status"], r["Amount (£)"], r["Amount (pence)"]) for r in rows
    ] == [(payment.reference, world.provider.name, "Paid", "807.50", "80750")]
    for kind in ("batches", "invoices"):
        assert officer.get(f"/finance/reports/{kind}.csv").status_code == 200
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")
    assert case.get("/finance/reports/payments.csv").status_code == 403
    assert case.get("/finance/batches").status_code == 403


def test_stripe_webhooks_are_verified_and_recorded_once(live_server: LiveServer, db) -> None:
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "transfer.reversed",
        "data": {"object": {"id": "tr_1"}},
    }
    body = json.dumps(event)

    def post(payload: str, secret: str) -> requests.Response:
        header = stripe.WebhookSignature.generate_signature_header(payload=payload, secret=secret)
        return requests.post(
            f"{live_server.url}/stripe/webhooks",
            data=payload,
            headers={"Stripe-Signature": header, "Content-Type": "application/json"},
            timeout=30,
        )

    first = post(body, WEBHOOK_SECRET)
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False}
    assert post(body, WEBHOOK_SECRET).json()["duplicate"] is True
    assert post(body, "whsec_wrong").status_code == 403
    assert post(body.replace("evt_1", "evt_2"), "whsec_wrong").status_code == 403
    assert [e.event_id for e in db.scalars(select(StripeEvent))] == ["evt_1"]


def test_the_home_page_offers_only_what_the_role_may_open(live_server: LiveServer, db) -> None:
    for role, name in (
        (StaffRole.CASEWORKER, "Cara Caseworker"),
        (StaffRole.FINANCE_OFFICER, "Femi Finance"),
        (StaffRole.APPROVER, "Ann Approver"),
        (StaffRole.AUDITOR, "Ada Auditor"),
    ):
        user = staff(live_server, db, role, name)
        home = user.get("/finance/home")
        links = re.findall(r'href="(/finance/[a-z-]+)"', home.text)
        assert links, role
        if role is StaffRole.AUDITOR:
            assert "/finance/audit" in links
        for link in links:
            assert user.get(link).status_code == 200, (role, link)


def test_the_review_queue_shows_the_longest_waiting_first_fifty_a_page(live_server: LiveServer, db) -> None:
    world = World(db)
    held = []
    for _ in range(52):
        invoice = world.submit()
        service.confirm_invoice(db, world.parent, invoice.id)
        service.hold_invoice(db, world.caseworker, invoice.id, "checking")
        held.append(invoice)
    service.approve_invoice(db, world.caseworker, held[10].id, "checked")  # decided: leaves the queue
    waiting = [invoice.invoice_number for invoice in held if invoice is not held[10]]
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")

    def shown(page) -> list[str]:
        return re.findall(r">(INV-\d+)</a>", page.text)

    first = case.get("/finance/queue")
    assert shown(first) == waiting[:50]
    later = re.search(r'href="([^"]+)">Next invoices to review', first.text)
    assert later is not None
    second = case.get(later.group(1).replace("&amp;", "&"))
    assert shown(second) == waiting[50:]
    assert "Next invoices to review" not in second.text
    assert case.get("/finance/queue?cursor=not-a-cursor").status_code == 400


def test_a_bacs_returns_file_is_imported_by_one_officer_and_confirmed_by_another(
    live_server: LiveServer, db, monkeypatch
) -> None:
    world = World(db)
    world.approved_invoice()
    batch = world.approved_batch()
    made = send_by_bacs(db, world.approver, batch.id)
    day_after = bacs.entry_day(made.processing_day) + timedelta(days=1)
    reconciliation.reconcile_bacs(db, today=day_after)
    monkeypatch.setattr(bacs_returns, "today_in_london", lambda: day_after)  # the live server's thread
    payment = db.scalars(select(Payment)).one()
    line = f"{payment.reference},{payment.amount_pence},{payment.destination_sort_code}"
    header = "reference,amount_pence,sort_code,account_number,reason\n"
    returns = f"{header}{line},{payment.destination_account_number},account closed\n"

    first = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")
    page = first.get("/finance/bacs-returns")
    not_sent = returns.replace(line, "CCD NOPE,1,000000")
    wrong = first.upload(page, "returns.csv", not_sent)
    assert wrong.status_code == 400
    assert "Line 1: No Bacs payment sent to the bank has the reference CCD NOPE" in wrong.text
    assert 'href="#file"' in wrong.text and 'href="#None"' not in wrong.text  # linked to the file
    imported = first.upload(page, "returns.csv", returns)
    assert "1 return matched: another finance officer must confirm it" in imported.text
    assert "You imported this file, so another finance officer must confirm it" in imported.text
    assert "Confirm these returns" not in imported.text
    db.expire_all()
    assert db.get_one(Payment, payment.id).status is PaymentStatus.PAID  # not yet

    second = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Sam Second")
    waiting = second.get("/finance/bacs-returns")
    assert payment.reference in waiting.text and "account closed" in waiting.text
    confirmed = second.submit(waiting, "Confirm these returns")
    assert "Returns confirmed: their invoices go into the next batch" in confirmed.text
    db.expire_all()
    assert db.get_one(Payment, payment.id).status is PaymentStatus.RETURNED
    assert (
        staff(live_server, db, StaffRole.AUDITOR, "Ada Auditor").get("/finance/bacs-returns").status_code
        == 200
    )


def test_the_approver_is_told_before_pressing_anything_that_a_payee_changed(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    world.approved_invoice()
    batch = service.build_batch(db, world.officer, for_approval=True)
    assert batch is not None
    payees.change_payee(
        db, world.provider_user, world.provider.id, payees.BankDetails("107999", "88837491", "New Name")
    )
    approver = staff(live_server, db, StaffRole.APPROVER, "Ann Approver")
    page = approver.get(f"/finance/batches/{batch.id}")
    assert f"Where DWP pays {world.provider.name} changed after this batch was built" in page.text
    assert "Approve batch" not in page.text
    asked = approver.get(f"/finance/batches/{batch.id}/approve")
    assert "build it again" in asked.text and "Yes, approve" not in asked.text

    # The change holds the provider's payments, so a new batch has nothing to pay, and says why.
    service.cancel_batch(db, world.officer, batch.id, "Payee changed")
    officer = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")
    nothing = officer.submit(officer.get("/finance/batches"), "Build a batch now")
    assert "There is nothing to pay" in nothing.text
    assert (
        f"{world.provider.name}: 1 approved invoice waits until DWP has verified the provider" in nothing.text
    )
