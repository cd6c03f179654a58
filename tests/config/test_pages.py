"""The GOV.UK page shell: every piece of page text goes through Flask-Babel, forms never crash."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired

from config.forms import GovDateField

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "/",
    "/provider",
    "/account",
    "/no-such-page",
    "/provider/sign-in",
    "/provider/register",
    "/provider/register/regulator",
]
# Shown in their own language on purpose (the language switch), or a proper name.
UNTRANSLATED = {"English", "Cymraeg", "GOV.UK", "!"}  # "!": the warning icon, hidden from screen readers
MARK = "CY·"
# As babel.cfg's extraction runs it: the lazy forms used for labels at import time count too.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}


class VisibleText(HTMLParser):
    """Text a person sees: everything outside script, style and the SVG logo's inner workings."""

    def __init__(self) -> None:
        super().__init__()
        self.skipping: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style", "svg"}:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.skipping:
            self.texts.append(text)


def pseudo_welsh_catalog(directory: Path) -> int:
    """Extract every message as pybabel would and 'translate' each by marking it."""
    catalog = Catalog(locale="cy")
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    for package in ("config", "staff", "providers", "claimants", "invoicing"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords=KEYWORDS
        ):
            if isinstance(message, str):
                # Mark every run of text, including those between the tags of an HTML message.
                catalog.add(message, string=MARK + re.sub(r">([^<])", ">" + MARK + r"\1", message))
            elif isinstance(message, tuple) and all(isinstance(part, str) for part in message[:2]):
                singular, plural = message[:2]  # ngettext: both forms marked
                catalog.add((singular, plural), string=(MARK + singular, MARK + plural))
    target = directory / "cy" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    return len(catalog)


@pytest.mark.own_app
@pytest.mark.parametrize("path", PAGES)
def test_every_piece_of_page_text_goes_through_babel(app: Flask, tmp_path: Path, path: str) -> None:
    assert pseudo_welsh_catalog(tmp_path) > 20
    app.extensions["babel"].translation_directories = [str(tmp_path)]
    client = app.test_client()
    page = client.get(path, query_string={"lang": "cy"}).get_data(as_text=True)
    parser = VisibleText()
    parser.feed(page)
    untranslated = [
        t for t in parser.texts if MARK not in t and t not in UNTRANSLATED and not t.startswith("£")
    ]
    assert untranslated == []
    assert 'lang="cy"' in page


def test_the_start_page_links_to_the_three_areas(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    for area, heading in (
        ("/provider", "Childcare providers"),
        ("/account", "Parents on Universal Credit"),
        ("/finance", "DWP staff"),
    ):
        assert f'href="{area}"' in page
        response = client.get(area)
        assert response.status_code == 200 and heading in response.get_data(as_text=True)


def test_an_unexpected_error_is_a_govuk_sorry_page(settings) -> None:
    from config.app import create_app

    app = create_app(settings)

    @app.get("/explode")
    def explode() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/explode")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page and "boom" not in page


class DateForm(FlaskForm):
    class Meta:
        csrf = False

    born = GovDateField("Date of birth", validators=[InputRequired(message="Enter the date of birth")])


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({}, "Enter the date of birth"),
        ({"born": ["", "", ""]}, "Enter the date of birth"),
        ({"born": ["4", "", "2022"]}, "Date of birth must include a month"),
        ({"born": ["31", "2", "2022"]}, "Date of birth must be a real date"),
        ({"born": ["1", "2", "22"]}, "Date of birth must be a real date"),
    ],
)
def test_a_missing_partial_or_impossible_date_gives_a_govuk_message_not_a_crash(
    app: Flask, posted: dict, error: str
) -> None:
    with app.test_request_context(method="POST"):
        form = DateForm(formdata=MultiDict([(k, v) for k, values in posted.items() for v in values]))
        assert not form.validate()
        assert form.born.errors == [error]
        assert 'name="born"' in str(form.born())  # the widget still renders three boxes


def test_a_real_date_is_read_from_three_boxes(app: Flask) -> None:
    from datetime import date

    with app.test_request_context(method="POST"):
        form = DateForm(formdata=MultiDict([("born", "4"), ("born", "5"), ("born", "2022")]))
        assert form.validate() and form.born.data == date(2022, 5, 4)


@pytest.mark.own_app
def test_signed_in_pages_put_every_piece_of_text_through_babel_too(live_server, tmp_path: Path) -> None:
    from config.extensions import database
    from tests.factories import World
    from tests.http import sign_in_parent, sign_in_staff

    pseudo_welsh_catalog(tmp_path)
    live_server.app.extensions["babel"].translation_directories = [str(tmp_path)]
    with database().session_factory() as db:
        world = World(db)
        invoice = world.submit()
        staff_name, parent_name = world.officer.label, world.parent.label
        invoice_id, consent_id, number = invoice.id, world.consent.id, invoice.invoice_number
        address = f"{world.provider.address} {world.provider.postcode}"
        lines = {line.description for line in invoice.lines}
        names = {
            parent_name,
            staff_name,
            world.child.first_name,
            world.provider.name,
            number,
            address,
            *lines,
        }
    parent, _ = sign_in_parent(live_server.url, parent_name)
    staff, _ = sign_in_staff(live_server.url, staff_name)
    pages = [
        (parent, "/account/home"),
        (parent, "/account/consents"),
        (parent, "/account/claim"),
        (parent, "/account/children/new"),
        (parent, "/account/invoices"),
        (parent, f"/account/invoices/{invoice_id}"),
        (parent, f"/account/invoices/{invoice_id}/dispute"),
        (parent, "/account/periods"),
        (parent, f"/account/consents/{consent_id}/stop"),
    ]
    # DWP's own pages stay English whatever was chosen (README, "Welsh"), and say so.
    finance = staff.get("/finance/home", params={"lang": "cy"})
    assert finance.status_code == 200 and '<html lang="en"' in finance.text and MARK not in finance.text
    for user, path in pages:
        page = user.get(path, params={"lang": "cy"})
        assert page.status_code == 200, path
        parser = VisibleText()
        parser.feed(page.text)
        untranslated = [
            t
            for t in parser.texts
            if MARK not in t
            and t not in UNTRANSLATED
            and not re.fullmatch(r"[£\d,.:\s–-]+", t)
            and not any(name in t for name in names)
            and not re.search(r"\d{4}$", t)
        ]
        assert untranslated == [], path
