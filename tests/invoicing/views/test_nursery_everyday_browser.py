"""Part A's pages in a real browser, at desktop and 375 pixels, JavaScript on and off, each page
checked by axe and for its width: the nursery's home page with what needs doing, the invoice list
(filtered, with its export), consents (filtered, a request sent again), copying last month's
invoices into drafts, saving, opening and sending a draft, correcting a disputed invoice, and the
webhook delivery log."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, expect

from claimants import service as claimants
from config.database import utcnow
from config.extensions import database
from config.scheduler import run_job
from invoicing import service
from providers import service as providers
from providers.models import ProviderUser
from tests.browser import WAYS, Visitor
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password
from tests.invoicing.views.test_nursery_pages import pay


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_the_nursery_everyday_pages_in_a_browser(
    browser: Browser, live_server: LiveServer, db, viewport, javascript
) -> None:
    world = World(db)
    admin = db.get_one(ProviderUser, world.provider_user.id)
    secret = give_password(db, world.provider_user, second_factor=True)
    providers.register_api_client(
        db,
        world.provider_user,
        name="Nursery Manager",
        redirect_uris=[],
        webhook_url="http://127.0.0.1:9/hooks",
    )
    paid = world.approved_invoice(number="PAID-1")
    pay(db, world, paid)
    disputed = world.submit(number="DISP-1")
    service.dispute_invoice(db, world.parent, disputed.id, "Meals were not eaten")
    claimants.request_consent(db, world.provider_user, parent_email="ola@example.com", child_first_name="Ola")
    world.consent.expires_at = utcnow() + timedelta(days=20)
    db.commit()

    visitor = Visitor(browser, live_server.url, viewport, javascript)
    page = visitor.go("/provider/sign-in")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    visitor.press("Sign in")
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    visitor.press("Continue")

    # -- the home page: what needs doing, and what was paid ------------------------------------------
    expect(page.get_by_role("heading", name="What needs doing")).to_be_visible()
    expect(page.get_by_text("1 consent ends within 30 days")).to_be_visible()
    expect(page.get_by_text("DWP has paid you £807.50 in")).to_be_visible()
    visitor.follow("1 invoice is disputed by a parent")
    expect(page.get_by_role("link", name="DISP-1")).to_be_visible()

    # -- the invoice list: filters that work without JavaScript, totals -------------------------------
    visitor.go("/provider/invoices")
    page.get_by_label("Status").select_option(label="Paid")
    visitor.press("Filter invoices")
    expect(page.get_by_text("1 invoice matches.")).to_be_visible()
    expect(page.get_by_role("link", name="PAID-1")).to_be_visible()
    expect(page.get_by_role("link", name="DISP-1")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these invoices (CSV)").click()
    assert "PAID-1" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    # -- a disputed invoice, cancelled and corrected ----------------------------------------------------
    visitor.go(f"/provider/invoices/{disputed.id}")
    visitor.follow("Cancel it and send a corrected invoice")
    page.get_by_label("Why are you cancelling this invoice?").fill("Meals charged by mistake")
    visitor.press("Cancel it and correct it")
    expect(page.get_by_text("Invoice DISP-1 is cancelled")).to_be_visible()
    page.get_by_label("Invoice number", exact=True).fill("DISP-2")
    page.get_by_label("Line 2 description").fill("")
    page.get_by_label("Line 2 amount in pounds").fill("")
    visitor.press("Save as draft")
    expect(page.get_by_text("Your draft is saved")).to_be_visible()

    # -- drafts: open one and send it; copy last month's --------------------------------------------
    visitor.follow("Open draft DISP-2")
    visitor.press("Continue")
    expect(page.get_by_text("Check the invoice before sending it")).to_be_visible()
    visitor.press("Send invoice")
    expect(page.get_by_text("Invoice DISP-2 has been sent to the parent to confirm")).to_be_visible()
    visitor.go("/provider/invoices/drafts")
    visitor.press("Copy last month’s invoices")
    expect(page.get_by_text("We made 1 draft from last month’s invoices")).to_be_visible()  # one child, once

    # -- consents: the nursery's words, a filter, a request sent again ---------------------------------
    visitor.go("/provider/consents")
    expect(page.locator(".govuk-tag", has_text="Waiting for the parent")).to_be_visible()
    page.get_by_label("Show", exact=True).select_option(label="Ending within 30 days")
    visitor.press("Show consents")
    expect(page.get_by_text("Sam Test")).to_be_visible()
    expect(page.get_by_text("ola@example.com")).to_have_count(0)

    # -- the webhook log ----------------------------------------------------------------------------
    run_job(database().session_factory, "deliver-webhooks")
    visitor.go("/provider/software/webhooks")
    expect(page.get_by_text("invoice.disputed").first).to_be_visible()
    if javascript:
        page.get_by_text("What we sent").first.click()
        expect(page.locator("pre").first).to_be_visible()
    visitor.check()
    visitor.close()
    visitor.assert_no_problems()
