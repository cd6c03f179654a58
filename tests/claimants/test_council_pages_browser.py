"""The parent's council sharing page and DWP's export page in a real browser, at desktop and 375
pixels, JavaScript on and off: axe and the page's width are checked on every page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from config.auth import StaffRole
from providers import local_authority
from tests.browser import WAYS, Visitor
from tests.conftest import LiveServer
from tests.factories import World, create_staff


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_the_council_pages_in_a_browser(
    browser: Browser, live_server: LiveServer, db, viewport, javascript
) -> None:
    world = World(db)
    local_authority.set_local_authority(db, world.caseworker, world.provider.id, "E08000035")
    visitor = Visitor(browser, live_server.url, viewport, javascript)
    visitor.go("/account/sign-in")
    visitor.press(world.parent.label)
    page = visitor.page
    expect(page.locator("a[href='/account/council-sharing']")).to_have_count(1)  # in the navigation
    visitor.go("/account/council-sharing")
    visitor.press("Save")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    page.get_by_label("Yes, share them").check()
    visitor.press("Save")
    expect(page.get_by_text("We will share your children’s details with your council")).to_be_visible()
    page.get_by_label("No, do not share them").check()
    visitor.press("Save")
    expect(page.get_by_text("We will not share your children’s details with your council")).to_be_visible()

    create_staff(db, StaffRole.FINANCE_OFFICER, name="Femi Finance")
    staff = Visitor(browser, live_server.url, viewport, javascript)
    staff.go("/finance/sign-in")
    staff.press("Femi Finance")
    staff.go("/finance/councils")
    expect(staff.page.get_by_role("rowheader", name="Leeds E08000035")).to_be_visible()
    visitor.assert_no_problems()
    staff.assert_no_problems()
    visitor.close()
    staff.close()
