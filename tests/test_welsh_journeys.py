"""A parent and a nursery use the service in Welsh, in a real browser (desktop, JavaScript on, axe
on every page; and on a 375-pixel phone). Every page they see is also checked for English left
untranslated (tests/page_checks.py fails a Welsh page whose main content has English words).

Button and link names are looked up in the committed Welsh catalogue, so the test follows the
words a Welsh reader sees, not English ones."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import pyotp
import pytest
from babel.support import Translations
from playwright.sync_api import Browser, expect

from claimants.models import Parent
from invoicing.models import Invoice, InvoiceStatus
from providers.models import ProviderUser
from tests.browser import DESKTOP, PHONE, Visitor
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password

ROOT = Path(__file__).resolve().parents[1]


@cache
def _welsh() -> Translations:
    return Translations.load(str(ROOT / "translations"), ["cy"])


def cy(english: str, **values: object) -> str:
    """What the Welsh catalogue says for ``english``; a missing one fails the test."""
    welsh = _welsh().gettext(english)
    assert welsh != english or not english.strip(), f"no Welsh for {english!r}"
    return welsh % values if values else welsh


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_parent_confirms_an_invoice_in_welsh(
    browser: Browser, live_server: LiveServer, db, viewport
) -> None:
    world = World(db)
    invoice = world.submit(number="CY-1")
    visitor = Visitor(browser, live_server.url, viewport, javascript=True)
    visitor.go("/account/sign-in?lang=cy")
    visitor.press(world.parent.label)  # the development identity provider lists people by name
    page = visitor.page
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    visitor.go(f"/account/invoices/{invoice.id}")
    visitor.press(cy("Confirm invoice"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    visitor.go("/account/home")
    visitor.go("/account/consents")
    visitor.go("/account/periods")
    visitor.assert_no_problems()
    db.expire_all()
    assert db.get_one(Parent, world.parent.parent_id).language == "cy"
    assert db.get_one(Invoice, invoice.id).status is InvoiceStatus.CONFIRMED


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_nursery_works_in_welsh(browser: Browser, live_server: LiveServer, db, viewport) -> None:
    world = World(db)
    admin = db.get_one(ProviderUser, world.provider_user.id)
    secret = give_password(db, world.provider_user, second_factor=True)
    world.submit(number="CY-2")
    visitor = Visitor(browser, live_server.url, viewport, javascript=True)
    page = visitor.go("/provider/sign-in?lang=cy")
    page.get_by_label(cy("Email address")).fill(admin.email)
    page.get_by_label(cy("Password"), exact=True).fill(PASSWORD)
    visitor.press(cy("Sign in"))
    page.get_by_label(cy("Security code")).fill(pyotp.TOTP(secret).at(time.time() + 30))
    visitor.press(cy("Continue"))
    expect(page.get_by_role("heading", name=cy("What needs doing"))).to_be_visible()
    for path in ("/provider/invoices", "/provider/consents", "/provider/invoices/new", "/provider/team"):
        visitor.go(path)
    visitor.assert_no_problems()
    db.expire_all()
    assert db.get_one(ProviderUser, admin.id).language == "cy"
