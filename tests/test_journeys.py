"""The whole service in a real browser (Playwright driving Debian's chromium), as its people use it.

A nursery registers, asks a parent for consent and sends an invoice; the parent signs in through
the development OpenID provider, consents and confirms; a finance officer builds a batch, an
approver approves it, the scheduler pays it through the Stripe test server and reconciles it; the
nursery sees the remittance. axe-core runs on every page the journey visits (JavaScript on) and
any serious or critical violation fails it. The same journey runs again with JavaScript off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from claimants.models import Consent, Parent
from config.auth import StaffRole
from config.extensions import database
from config.scheduler import run_job
from invoicing.models import Invoice
from tests.browser import WAYS, WIDEST, Axe
from tests.conftest import LiveServer
from tests.factories import create_child, create_parent, create_staff, previous_month
from tests.stripe_server import API_KEY, StripeState, stripe_server

ACCOUNT = "acct_1JourneyNursery"


@pytest.fixture
def stripe_test() -> Iterator[tuple[str, StripeState]]:
    with stripe_server({ACCOUNT}) as served:
        yield served


@pytest.fixture
def live_overrides(stripe_test) -> dict[str, object]:
    return {"stripe_api_key": API_KEY, "stripe_api_base": stripe_test[0]}


def journey(browser: Browser, live_server: LiveServer, db, viewport: dict[str, int], javascript: bool) -> Axe:
    url = live_server.url
    axe = Axe(enabled=javascript)

    def context() -> Page:
        ctx = browser.new_context(
            java_script_enabled=javascript, bypass_csp=True, base_url=url, viewport=viewport
        )
        return ctx.new_page()

    def check(page: Page) -> None:
        axe.check(page)
        wide = page.evaluate(WIDEST)
        if wide["width"] > viewport["width"]:
            where = f"{wide['width']} pixels wide in a {viewport['width']}-pixel window"
            axe.problems.append(f"{page.url}: {where} ({wide['element']})")

    def go(page: Page, path: str) -> None:
        page.goto(path)
        check(page)

    def press(page: Page, name: str) -> None:
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_load_state()
        check(page)

    tag = ("js" if javascript else "nojs") + ("-phone" if viewport["width"] < 600 else "")
    # -- the nursery registers -------------------------------------------------------------------
    nursery = context()
    go(nursery, "/provider/register")
    nursery.get_by_text("Start now").click()
    check(nursery)
    nursery.get_by_label("Ofsted").check()
    press(nursery, "Continue")
    nursery.get_by_label("What is your registration number?").fill(
        "EY" + {"js": "123456", "nojs": "654321", "js-phone": "123457", "nojs-phone": "654322"}[tag]
    )
    press(nursery, "Continue")
    nursery.get_by_label("What is the name of your setting?").fill(f"Journey Nursery {tag}")
    press(nursery, "Continue")
    nursery.get_by_label("What is your setting’s postcode?").fill("LS1 4AP")
    press(nursery, "Continue")
    nursery.get_by_label("Yorkshire and The Humber").check()
    press(nursery, "Continue")
    nursery.get_by_label("Name on the account").fill("Journey Nursery Ltd")
    nursery.get_by_label("Sort code").fill("089999")
    nursery.get_by_label("Account number").fill("66374958")
    press(nursery, "Continue")
    nursery.get_by_label("Your full name").fill("Nora Nursery")
    nursery.get_by_label("Your email address").fill(f"nora.{tag}@journey.example")
    press(nursery, "Continue")
    nursery.get_by_label("Create a password").fill("three random words")
    press(nursery, "Continue")
    expect(nursery.get_by_role("heading", name="Check your answers before registering")).to_be_visible()
    press(nursery, "Register")
    expect(nursery.get_by_text("Registration complete")).to_be_visible()
    nursery.get_by_text("Set up your security code").click()
    check(nursery)
    secret = nursery.get_by_test_id("totp-secret").inner_text()
    nursery.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    press(nursery, "Continue")
    expect(nursery.get_by_role("heading", name="Your recovery codes")).to_be_visible()  # shown once
    press(nursery, "Continue")
    expect(nursery.get_by_text("DWP is checking your registration")).to_be_visible()

    # -- DWP checks it, gives it a connected Stripe account, and a second person verifies it ----
    create_staff(db, StaffRole.CASEWORKER, StaffRole.FINANCE_OFFICER, name=f"Cas Officer {tag}")
    create_staff(db, StaffRole.CASEWORKER, name=f"Vic Verifier {tag}")
    create_staff(db, StaffRole.APPROVER, name=f"Abe Approver {tag}")
    officer = context()
    go(officer, "/finance/sign-in")
    press(officer, f"Cas Officer {tag}")
    go(officer, "/finance/providers")
    officer.get_by_role("link", name=f"Journey Nursery {tag}").first.click()
    check(officer)
    press(officer, "Record the checks")
    expect(officer.get_by_text("someone else must now verify")).to_be_visible()
    officer.get_by_label("Stripe connected account ID").fill(ACCOUNT)
    officer.locator("#stripe_reason").fill("Onboarded to Stripe Connect")
    press(officer, "Record connected account")
    expect(officer.get_by_text(f"is paid to Stripe {ACCOUNT} once someone else releases")).to_be_visible()
    expect(officer.get_by_text("You recorded this change, so someone else must release it")).to_be_visible()
    verifier = context()
    go(verifier, "/finance/sign-in")
    press(verifier, f"Vic Verifier {tag}")
    go(verifier, "/finance/providers")  # listed twice: waiting for verification, and for release
    verifier.get_by_role("link", name=f"Journey Nursery {tag}").first.click()
    press(verifier, "Verify provider")
    expect(verifier.get_by_text("is verified and can send invoices")).to_be_visible()
    approver = context()  # an approver releases the connected account the officer recorded
    go(approver, "/finance/sign-in")
    press(approver, f"Abe Approver {tag}")
    go(approver, "/finance/providers")
    approver.get_by_role("link", name=f"Journey Nursery {tag}").first.click()
    press(approver, "Release new payment details")
    expect(approver.get_by_text("The new payment details are released")).to_be_visible()

    # -- the nursery asks a parent for consent ---------------------------------------------------
    parent_actor = create_parent(db)
    child = create_child(db, parent_actor, first_name=f"Kit{tag}")
    email = db.get_one(Parent, parent_actor.parent_id).email
    go(nursery, "/provider/consents/ask")
    nursery.get_by_label("Parent’s email address").fill(email)
    nursery.get_by_label("Child’s first name").fill(child.first_name)
    press(nursery, "Send request")
    consent = db.scalars(select(Consent).where(Consent.requested_email == email)).one()

    # -- the parent signs in through the development identity provider and consents -------------
    parent = context()
    go(parent, f"/account/consents/{consent.id}/respond")
    press(parent, parent_actor.label)
    check(parent)
    parent.get_by_label(f"{child.first_name} {child.last_name}").check()
    press(parent, "Agree")
    expect(parent.get_by_text("can now invoice DWP for your childcare")).to_be_visible()

    # -- the nursery sends an invoice, seeing the shares first -----------------------------------
    start, end = previous_month()
    go(nursery, "/provider/invoices/new")
    nursery.get_by_label(f"{child.first_name} {child.last_name}").check()
    nursery.get_by_label("Invoice number").fill(f"J-{tag}")
    for name, day in (("issued_on", end), ("care_from", start), ("care_to", end)):
        boxes = nursery.locator(f'input[name="{name}"]')
        boxes.nth(0).fill(str(day.day))
        boxes.nth(1).fill(str(day.month))
        boxes.nth(2).fill(str(day.year))
    nursery.get_by_label("Line 1 description").fill("Full days")
    nursery.get_by_label("Line 1 hours").fill("120")
    nursery.get_by_label("Line 1 amount in pounds").fill("950.00")
    press(nursery, "Continue")
    expect(nursery.get_by_text("£807.50")).to_be_visible()
    press(nursery, "Send invoice")
    expect(nursery.get_by_text("has been sent to the parent to confirm")).to_be_visible()
    invoice = db.scalars(select(Invoice).where(Invoice.invoice_number == f"J-{tag}")).one()

    # -- the parent confirms it ------------------------------------------------------------------
    go(parent, f"/account/invoices/{invoice.id}")
    press(parent, "Confirm invoice")
    run_job(database().session_factory, "check-confirmed-invoices")

    # -- a finance officer builds the batch, an approver approves it -----------------------------
    go(officer, "/finance/batches")
    press(officer, "Build a batch now")
    expect(officer.get_by_text("Control totals")).to_be_visible()
    batch_page = officer.url
    go(approver, batch_page)
    press(approver, "Approve batch")
    press(approver, "Yes, approve £807.50 to 1 provider")
    expect(approver.get_by_text("Batch approved")).to_be_visible()

    # -- the scheduler pays it through Stripe and reconciles it ----------------------------------
    assert run_job(database().session_factory, "submit-approved-batches").outcome == "succeeded"
    assert run_job(database().session_factory, "reconcile-payments").counts["paid"] == 1

    # -- the nursery sees the remittance ---------------------------------------------------------
    go(nursery, "/provider/payments")
    nursery.get_by_role("link", name=re.compile("^CCD ")).first.click()
    check(nursery)
    expect(nursery.get_by_role("link", name=f"J-{tag}")).to_be_visible()
    expect(nursery.get_by_text("£807.50").first).to_be_visible()
    return axe


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_the_whole_journey_in_a_browser(
    browser: Browser, live_server: LiveServer, db, viewport: dict[str, int], javascript: bool
) -> None:
    """With JavaScript on, axe checks every page; at every width no page is wider than the window."""
    axe = journey(browser, live_server, db, viewport, javascript)
    if javascript:
        assert axe.pages >= 25
    assert axe.problems == [], "\n".join(axe.problems)


def test_the_accessibility_check_finds_what_it_should(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content('<html lang="en"><title>x</title><main><img src="a.png"><button></button></main></html>')
    axe = Axe(enabled=True)
    axe.check(page)
    assert any("image-alt" in problem for problem in axe.problems)
    assert any("button-name" in problem for problem in axe.problems)
