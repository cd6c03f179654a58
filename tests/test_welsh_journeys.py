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
from sqlalchemy import func, select

from claimants.models import Parent
from invoicing.models import Invoice, InvoiceStatus
from providers.models import ProviderUser
from tests.browser import DESKTOP, PHONE, Visitor
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, give_password, previous_month
from tests.invoicing.service.test_upload_files import file_of
from tests.invoicing.service.test_uploads import row

ROOT = Path(__file__).resolve().parents[1]
SEND_GOOD = (
    "Send only the %(num)d invoice with no problems",
    "Send only the %(num)d invoices with no problems",
)


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
    for path in ("/provider/invoices", "/provider/consents", "/provider/team"):
        visitor.go(path)

    # -- an invoice sent through the form, in Welsh ----------------------------------------------
    start, end = previous_month()
    visitor.go("/provider/invoices/new")
    page.get_by_label(f"{world.child.first_name} {world.child.last_name}").check()
    page.get_by_label(cy("Invoice number")).fill("CY-3")
    for name, day in (("issued_on", end), ("care_from", start), ("care_to", end)):
        boxes = page.locator(f'input[name="{name}"]')
        for box, value in zip(range(3), (day.day, day.month, day.year), strict=True):
            boxes.nth(box).fill(str(value))
    page.get_by_label(cy("Line %(n)s description", n=1)).fill("Diwrnodau llawn")
    page.get_by_label(cy("Line %(n)s amount in pounds", n=1)).fill("300.00")
    visitor.press(cy("Continue"))
    visitor.press(cy("Send invoice"))
    expect(
        page.get_by_text(cy("Invoice %(number)s has been sent to the parent to confirm", number="CY-3"))
    ).to_be_visible()

    # -- a spreadsheet with a bad row: its problem in Welsh, then only the good invoice sent -----
    good, bad = row(world, "CY-U1", amount="200.00"), row(world, "CY-U2", care_from="nope")
    visitor.go("/provider/invoices/upload")
    page.locator("input[type=file]").set_input_files(
        files=[
            {"name": "anfonebau.csv", "mimeType": "text/csv", "buffer": file_of([good, bad], "utf-8", ",")}
        ]
    )
    visitor.press(cy("Check file"))
    problem = cy("Care from must be a real date, like 31/10/2026")
    expect(
        page.get_by_role("link", name=cy("Row %(row)s: %(message)s", row=3, message=problem))
    ).to_be_visible()
    visitor.press(_welsh().ngettext(*SEND_GOOD, 1) % {"num": 1})
    expect(page.get_by_role("heading", name=cy("Invoices sent"))).to_be_visible(timeout=20_000)
    visitor.assert_no_problems()
    assert db.scalar(select(func.count()).where(Invoice.invoice_number.in_(["CY-3", "CY-U1"]))) == 2
    db.expire_all()
    assert db.get_one(ProviderUser, admin.id).language == "cy"


# The height of a cell's text against its line height: more than one line means it wrapped.
LINES = """cell => {
  const words = document.createRange();
  words.selectNodeContents(cell);
  return Math.round(words.getBoundingClientRect().height / parseFloat(getComputedStyle(cell).lineHeight));
}"""


@pytest.mark.parametrize("language", ["en", "cy"])
def test_sums_of_money_stay_whole_on_a_phone(browser: Browser, live_server: LiveServer, db, language) -> None:
    """At 375 pixels, in either language: a parent's invoice list never breaks a figure across
    lines ("£1,4" above "68.91"), and the nursery's amount box has room for "12,345.67"."""
    words = cy if language == "cy" else (lambda english, **values: english % values if values else english)
    world = World(db)
    world.submit(number="PHONE-1", eligible_pence=250_000)  # DWP pays £1,071.09, the parent £1,468.91
    parent = Visitor(browser, live_server.url, PHONE, javascript=True)
    parent.go(f"/account/sign-in?lang={language}")
    parent.press(world.parent.label)
    page = parent.go("/account/invoices")
    figures = page.locator("td.govuk-table__cell--numeric")
    assert figures.count() == 2 and all("£1," in text for text in figures.all_inner_texts())
    assert [figure.evaluate(LINES) for figure in figures.all()] == [1, 1]
    parent.assert_no_problems()

    secret = give_password(db, world.provider_user, second_factor=True)
    nursery = Visitor(browser, live_server.url, PHONE, javascript=True)
    page = nursery.go(f"/provider/sign-in?lang={language}")
    page.get_by_label(words("Email address")).fill(db.get_one(ProviderUser, world.provider_user.id).email)
    page.get_by_label(words("Password"), exact=True).fill(PASSWORD)
    nursery.press(words("Sign in"))
    page.get_by_label(words("Security code")).fill(pyotp.TOTP(secret).at(time.time() + 30))
    nursery.press(words("Continue"))
    page = nursery.go("/provider/invoices/new")
    amount = page.get_by_label(words("Line %(n)s amount in pounds", n=1))
    amount.fill("12,345.67")
    assert amount.evaluate("box => box.scrollWidth <= box.clientWidth"), "the amount does not fit its box"
    nursery.assert_no_problems()
