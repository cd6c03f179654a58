"""Remittance advice that balances: the nursery's payment page and its CSV add up to the payment,
invoices as positive rows and credit notes taken off as negative rows, with a total row."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select

from config.auth import SYSTEM
from config.formatting import LONDON
from invoicing import service
from invoicing.models import Invoice, InvoiceStatus, Payment
from providers.models import ProviderUser
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, create_child, create_consent, create_provider_user, invoice_input
from tests.http import sign_in_provider


def staff_of(live_server: LiveServer, db, world: World):
    colleague = create_provider_user(db, world.provider, world.provider_user)
    user, _ = sign_in_provider(live_server.url, db.get_one(ProviderUser, colleague.id).email, PASSWORD)
    return user


def paid(db, world: World) -> Payment:
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    payment = batch.payments[0]
    service.record_payment_sent(db, SYSTEM, payment.id, f"tr_{payment.id.hex[:8]}")
    service.record_payment_paid(db, SYSTEM, payment.id)
    db.refresh(payment)
    return payment


def second_invoice(db, world: World, first_name: str, number: str) -> Invoice:
    child = create_child(db, world.parent, first_name=first_name)
    consent = create_consent(db, world.provider_user, world.parent, child)
    invoice = service.submit_invoice(db, world.provider_user, invoice_input(consent, number=number))
    service.confirm_invoice(db, world.parent, invoice.id)
    service.run_automatic_checks(db, SYSTEM)
    db.refresh(invoice)
    assert invoice.status is InvoiceStatus.APPROVED
    return invoice


def test_the_remittance_csv_adds_up_to_the_payment_with_a_credit_note_taken_off(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    first = world.approved_invoice(number="INV-1")
    paid(db, world)
    service.issue_credit_note(db, world.provider_user, first.id, 5_000, "Absent two days")
    rosa = second_invoice(db, world, "Rosa", "INV-2")
    payment = paid(db, world)
    assert (payment.amount_pence, payment.credit_pence) == (rosa.dwp_pence - 5_000, 5_000)

    user = staff_of(live_server, db, world)
    download = user.get(f"/provider/payments/{payment.id}/remittance.csv")
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    lines, total = [row for row in table if row["line"] != "total"], table[-1]
    assert [(row["line"], row["invoice_number"]) for row in lines] == [
        ("invoice", "INV-2"),
        ("credit_note", "INV-1"),
    ]
    assert [int(row["amount_pence"]) for row in lines] == [rosa.dwp_pence, -5_000]
    assert sum(int(row["amount_pence"]) for row in lines) == payment.amount_pence
    assert sum(Decimal(row["amount_pounds"]) for row in lines) == Decimal(payment.amount_pence) / 100
    assert (total["line"], int(total["amount_pence"])) == ("total", payment.amount_pence)
    assert lines[1]["amount_pounds"] == "-50.00"  # a number a spreadsheet adds, not '-£50.00 text
    paid_on = payment.paid_at.astimezone(LONDON).date().isoformat()
    assert {row["paid_on"] for row in table} == {paid_on}
    assert lines[0]["child"].startswith("Rosa ") and lines[0]["child_date_of_birth"]
    assert lines[1]["credit_note_reason"] == "Absent two days"

    page = user.get(f"/provider/payments/{payment.id}")
    text = page.text
    assert "Amount paid" in text and "Not paid yet" not in text
    for words in ("Credit note for", "INV-1", "INV-2", "-£50.00", "Absent two days", "Total paid"):
        assert words in text, words
    assert f"{payment.amount_pence // 100:,}." in text


def test_a_payment_not_yet_paid_says_amount_to_be_paid_and_not_paid_yet(live_server: LiveServer, db) -> None:
    world = World(db)
    world.approved_invoice(number="WAIT-1")
    batch = world.approved_batch()
    payment = batch.payments[0]
    user = staff_of(live_server, db, world)
    page = user.get(f"/provider/payments/{payment.id}")
    assert "Amount to be paid" in page.text and "Not paid yet" in page.text
    assert "Amount paid" not in page.text and "Total paid" not in page.text
    table = list(
        csv.DictReader(io.StringIO(user.get(f"{page.url}/remittance.csv").content.decode("utf-8-sig")))
    )
    assert {row["paid_on"] for row in table} == {""}
    assert table[-1]["line"] == "total" and int(table[-1]["amount_pence"]) == payment.amount_pence
    listing = user.get("/provider/payments")
    assert "Being prepared" in listing.text


def test_the_page_and_csv_of_another_nurserys_payment_are_not_found(live_server: LiveServer, db) -> None:
    mine, theirs = World(db), World(db)
    theirs.approved_invoice()
    payment = paid(db, theirs)
    user = staff_of(live_server, db, mine)
    for url in (f"/provider/payments/{payment.id}", f"/provider/payments/{payment.id}/remittance.csv"):
        assert user.get(url).status_code == 404
    assert db.scalars(select(Payment)).one().id == payment.id
