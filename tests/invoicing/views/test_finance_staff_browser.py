"""DWP staff's new pages in a real browser, at desktop and 375-pixel widths, JavaScript on and off:
the caseworker's invoice, search, the providers directory and the spend reports (axe on each)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from config.auth import StaffRole
from invoicing import service
from invoicing.models import Payment
from tests.browser import WAYS, Visitor
from tests.conftest import LiveServer
from tests.factories import World, create_staff, send_by_bacs


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_staff_read_an_invoice_search_the_directory_and_the_reports(
    browser: Browser, live_server: LiveServer, db, viewport: dict[str, int], javascript: bool
) -> None:
    world = World(db)
    world.approved_invoice()
    batch = world.approved_batch()
    send_by_bacs(db, world.approver, batch.id)
    payment = db.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    service.record_payment_paid(db, world.officer, payment.id)
    flagged = world.submit(number="INV-LATE", hours="999")
    service.confirm_invoice(db, world.parent, flagged.id)
    tag = f"{viewport['width']}{'js' if javascript else ''}"
    create_staff(db, StaffRole.CASEWORKER, name=f"Cara Caseworker {tag}")
    create_staff(db, StaffRole.AUDITOR, name=f"Aud Itor {tag}")

    case = Visitor(browser, live_server.url, viewport, javascript)
    case.go("/finance/sign-in")
    case.press(f"Cara Caseworker {tag}")
    case.follow("Search for a payment, invoice, provider or parent")
    case.page.get_by_label("Payment reference, invoice number, provider or parent").fill("inv-late")
    page = case.press("Search")
    case.follow("INV-LATE")
    expect(page.get_by_role("heading", name="Invoice INV-LATE")).to_be_visible()
    expect(page.get_by_text("Implausible hours").first).to_be_visible()
    expect(page.get_by_role("heading", name="Monthly maximum in this assessment period")).to_be_visible()
    expect(page.get_by_role("button", name="Record decision")).to_be_visible()
    case.go("/finance/providers")
    page.get_by_label("Name, registration number or postcode").fill(
        world.provider.registration_number.lower()
    )
    case.press("Search providers")
    expect(page.get_by_role("link", name=world.provider.name)).to_be_visible()
    case.assert_no_problems()
    case.close()

    auditor = Visitor(browser, live_server.url, viewport, javascript)
    auditor.go("/finance/sign-in")
    page = auditor.press(f"Aud Itor {tag}")
    auditor.follow("Reports")
    expect(page.get_by_role("heading", name="Spend by month of payment")).to_be_visible()
    expect(page.get_by_role("table", name="DWP spend by provider region")).to_contain_text("£807.50")
    auditor.press("Show these days")
    auditor.go(f"/finance/search?q={payment.reference}")
    expect(page.get_by_role("link", name=payment.reference)).to_be_visible()
    auditor.follow(payment.reference)
    expect(page.get_by_text("Returned by the bank")).to_have_count(0)
    auditor.go(f"/finance/invoices/{flagged.id}")
    expect(page.get_by_role("button", name="Record decision")).to_have_count(0)
    auditor.go(f"/finance/providers/{world.provider.id}")
    for action in ("Release new payment details", "Record connected account", "Record bank details"):
        expect(page.get_by_role("button", name=action)).to_have_count(0)
    auditor.assert_no_problems()
    auditor.close()
