"""The "Sending your invoices" page in a real browser: with JavaScript, the progress is updated in
place (no meta refresh reloading the page every few seconds under a screen reader) and, once
sending has finished, the page shows the outcome by itself; without JavaScript, the Refresh link
shows it."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Browser, expect

from invoicing.service import uploads
from providers.models import ProviderUser
from tests.browser import DESKTOP, Visitor
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password
from tests.invoicing.service.test_upload_files import file_of
from tests.invoicing.service.test_uploads import row


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_sending_page_shows_the_outcome_when_sending_ends(
    browser: Browser, live_server: LiveServer, db, session_factory, javascript
) -> None:
    world = World(db)
    content = file_of([row(world, "P-1"), row(world, "P-2", amount="200.00")], "utf-8", ",")
    upload = uploads.check_upload(db, world.provider_user, "progress.csv", content)
    uploads.start_submission(db, world.provider_user, upload.id, only_good=False)  # not yet sent
    secret = give_password(db, world.provider_user, second_factor=True)
    visitor = Visitor(browser, live_server.url, DESKTOP, javascript)
    page = visitor.go("/provider/sign-in")
    page.get_by_label("Email address").fill(db.get_one(ProviderUser, world.provider_user.id).email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    visitor.press("Sign in")
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    visitor.press("Continue")
    page = visitor.go(f"/provider/invoices/uploads/{upload.id}")
    expect(page.get_by_role("heading", name="Sending your invoices")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("0 of 2 invoices done")
    assert page.locator('meta[http-equiv="refresh"]').count() == 0

    uploads.process_upload(session_factory, upload.id)  # what the background thread does
    if not javascript:
        visitor.follow("Refresh")
    expect(page.get_by_role("heading", name="Invoices sent")).to_be_visible(timeout=15_000)
    visitor.assert_no_problems()
