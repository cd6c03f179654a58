"""Part B's pages in a real browser, at desktop and 375 pixels, JavaScript on and off, each page
checked by axe and for its width: the team (change a role, remove a colleague after confirming,
send an invitation again, cancel one, the last admin refused), a new API client's secret (reloaded),
remittance advice with a credit note taken off, and a spreadsheet checked with problems, totals
and identical rows."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Browser, expect

from config.auth import SYSTEM
from invoicing import service
from providers import accounts
from providers.models import ProviderUser, ProviderUserRole
from tests.browser import WAYS, Visitor
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, create_provider_user, give_password
from tests.invoicing.service.test_upload_files import file_of
from tests.invoicing.service.test_uploads import row


def pay(db, world: World):
    batch = world.approved_batch()
    service.submit_batch(db, world.officer, batch.id)
    payment = batch.payments[0]
    service.record_payment_sent(db, SYSTEM, payment.id, f"tr_{payment.id.hex[:8]}")
    service.record_payment_paid(db, SYSTEM, payment.id)
    return payment


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_the_team_secret_remittance_and_upload_pages_in_a_browser(
    browser: Browser, live_server: LiveServer, db, viewport, javascript
) -> None:
    world = World(db)
    admin = db.get_one(ProviderUser, world.provider_user.id)
    secret = give_password(db, world.provider_user, second_factor=True)
    colleague = db.get_one(ProviderUser, create_provider_user(db, world.provider, world.provider_user).id)
    accounts.invite_colleague(
        db,
        world.provider_user,
        email="sam@acorns.example",
        name="Sam Jones",
        role=ProviderUserRole.STAFF,
        link_base="http://test/provider/invitations",
    )
    first = world.approved_invoice(number="INV-1")
    pay(db, world)
    service.issue_credit_note(db, world.provider_user, first.id, 5_000, "Absent two days")
    payment = pay_again(db, world)

    visitor = Visitor(browser, live_server.url, viewport, javascript)
    page = visitor.go("/provider/sign-in")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    visitor.press("Sign in")
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    visitor.press("Continue")

    # -- the team ---------------------------------------------------------------------------------
    visitor.go("/provider/team")
    visitor.follow(f"Change role of {colleague.name}")
    page.get_by_label("Admin: also colleagues, bank details and nursery software").check()
    visitor.press("Save role")
    expect(page.get_by_text(f"{colleague.name} is now an admin")).to_be_visible()
    visitor.follow(f"Remove {colleague.name}")
    expect(
        page.get_by_role("heading", name=f"Are you sure you want to remove {colleague.name}?")
    ).to_be_visible()
    visitor.press(f"Yes, remove {colleague.name}")
    expect(page.get_by_text(f"{colleague.name} has been removed from your team")).to_be_visible()
    visitor.press("Send again to Sam Jones")
    expect(page.get_by_text("We have emailed a new invitation to sam@acorns.example")).to_be_visible()
    visitor.press("Cancel invitation to Sam Jones")
    expect(page.get_by_text("The invitation to sam@acorns.example is cancelled")).to_be_visible()
    visitor.go(f"/provider/team/{admin.id}/remove")
    expect(page.get_by_role("heading", name="You cannot remove yourself")).to_be_visible()
    visitor.go(f"/provider/team/{admin.id}/role")
    page.get_by_label("Staff: consents, invoices and payments").check()
    visitor.press("Save role")
    expect(page.get_by_text("There is a problem")).to_be_visible()

    # -- a new API client's secret, reloaded -------------------------------------------------------
    visitor.go("/provider/software/new")
    page.get_by_label("Name of the software").fill("Nursery Manager")
    page.get_by_label("Redirect addresses").fill("https://app.example/callback")
    visitor.press("Create client")
    expect(page.get_by_role("heading", name="Copy the client secret now")).to_be_visible()
    page.reload()
    visitor.check()
    expect(page.get_by_role("heading", name="You have already seen this secret")).to_be_visible()

    # -- remittance advice with a credit note taken off ------------------------------------------
    visitor.go(f"/provider/payments/{payment.id}")
    expect(page.get_by_text("Credit note for")).to_be_visible()
    expect(page.get_by_text("Total paid")).to_be_visible()

    # -- a spreadsheet with a problem, identical rows and totals ---------------------------------
    line = row(world, "S-1", description="Full days", amount="300.00")
    content = file_of(
        [line, line, row(world, "S-2", amount="£200.00"), row(world, "S-3", care_from="nope")], "cp1252", ";"
    )
    visitor.go("/provider/invoices/upload")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "from-excel.csv", "mimeType": "text/csv", "buffer": content}]
    )
    visitor.press("Check file")
    expect(page.get_by_role("heading", name="Check your file")).to_be_visible()
    expect(page.get_by_text("Rows 2 and 3 are exactly the same")).to_be_visible()
    expect(
        page.get_by_role("link", name="Row 5: Care from must be a real date, like 31/10/2026")
    ).to_be_visible()
    visitor.close()
    visitor.assert_no_problems()


def pay_again(db, world: World):
    """A second invoice for another child, paid with the credit note taken off."""
    from tests.invoicing.views.test_remittance import second_invoice

    second_invoice(db, world, "Rosa", "INV-2")
    return pay(db, world)
