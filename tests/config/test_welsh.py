"""Cymraeg: the committed catalogue, the language switch, the language each person chose, and
Welsh dates, money, plurals and emails (config/language.py, translations/)."""

from __future__ import annotations

import ast
import builtins
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from claimants.models import Parent
from config import notify
from config import settings as settings_module
from config.formatting import day, london_date, london_time, pounds
from config.language import EXTRACT_KEYWORDS
from config.notify import Notification
from config.notify_cy import TEMPLATES_CY
from scripts.extract_messages import extract
from tests.conftest import LiveServer
from tests.factories import PASSWORD, World, create_parent, give_password
from tests.http import User, sign_in_provider
from tests.test_welsh_journeys import cy

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations" / "cy" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, **EXTRACT_KEYWORDS}
# DWP's own pages stay English (README, "Welsh"): messages used only there need no Welsh.
STAFF_ONLY = re.compile(
    r"(finance|staff/|_staff\.html|_batch_review|audit|reports|search\.html|jobs\.html|breaks|returns|"
    r"service/reconciliation|service/approval|service/sending|service/review|council_export|claims/(views|forms|development)|dev_claim|"
    r"/views/finance|queries/finance|queries/reports|queries/exports|queries/search|queries/review)"
)


def messages_people_see() -> dict[str | tuple[str, ...], list[str]]:
    """Every message marked in the code, as ``make extract-messages`` finds it, that a parent or
    a nursery sees."""
    found: dict[str | tuple[str, ...], list[str]] = {}
    for message in extract():
        if message.id:
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            found[key] = [file for file, _line in message.locations]
    return {key: files for key, files in found.items() if not all(STAFF_ONLY.search(f) for f in files)}


def test_every_message_parents_and_nurseries_see_is_in_welsh() -> None:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="cy")
    translated = {}
    for message in catalogue:
        if message.id and not message.fuzzy:
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
            translated[key] = all(strings)
    wanted = messages_people_see()
    assert len(wanted) > 500  # the extraction found the service's messages
    missing = sorted(str(key)[:80] for key in wanted if not translated.get(key))
    assert missing == [], f"{len(missing)} messages have no Welsh (run make extract-messages): {missing[:20]}"


def test_dates_money_and_plurals_follow_welsh_rules(app: Flask) -> None:
    assert london_date(date(2026, 12, 1), "cy") == "1 Rhagfyr 2026"
    assert london_date(date(2026, 12, 1), "en") == "1 December 2026"
    assert london_time(datetime(2026, 6, 4, 13, 5, tzinfo=UTC), "cy") == "2:05yh ar 4 Mehefin 2026"
    assert pounds(123456, "cy") == "£1,234.56"
    with app.test_request_context("/?lang=cy"):
        from flask_babel import ngettext

        # Welsh has five plural forms in Babel's rules (one, two, few: 3, many: 6, other).
        one, many = "%(num)s invoice is disputed by a parent", "%(num)s invoices are disputed by parents"
        forms = {n: ngettext(one, many, n) for n in (1, 2, 3, 6, 10)}
    assert all("anfoneb" in text and str(n) in text for n, text in forms.items()), forms


def test_the_switch_keeps_the_page_and_its_query_and_html_lang_matches(live_server: LiveServer) -> None:
    visitor = User(live_server.url)
    page = visitor.get("/provider/register?from=start")
    assert '<html lang="en"' in page.text
    assert 'href="/provider/register?from=start&amp;lang=cy"' in page.text
    welsh = visitor.get("/provider/register?from=start&lang=cy")
    assert '<html lang="cy"' in welsh.text and "Gofal Plant Uniongyrchol" in welsh.text
    assert 'href="/provider/register?from=start&amp;lang=en"' in welsh.text
    # The choice is kept for the next page.
    assert '<html lang="cy"' in visitor.get("/provider").text
    # DWP's own pages stay English, say so, and offer no switch.
    staff = visitor.get("/finance")
    assert '<html lang="en"' in staff.text and "Cymraeg" not in staff.text
    # Their identity provider's page too: the service asks it for no Welsh.
    assert '<html lang="en"' in visitor.get("/finance/sign-in").text


def test_one_logins_language_is_taken_and_a_parents_choice_is_remembered_for_their_emails(
    live_server: LiveServer, db
) -> None:
    parent = create_parent(db)
    record = db.get_one(Parent, parent.parent_id)
    user = User(live_server.url)
    assert '<html lang="cy"' in user.get("/?ui_locales=cy-GB%20en").text
    home = user.submit(user.get("/account/sign-in"), parent.label)
    db.expire_all()
    # Chosen before signing in (One Login's ui_locales), kept across the new session and remembered.
    assert '<html lang="cy"' in home.text and db.get_one(Parent, record.id).language == "cy"
    email = notify.queue_email(
        db,
        to=record.email,
        template="consent_given",
        reference="t",
        provider="M",
        child="Sam",
        until=day(date(2026, 12, 1)),  # a date is written in the reader's language
        link="y",
    )
    db.commit()
    sent = db.scalars(select(Notification).where(Notification.id == email.id)).one()
    assert sent.language == "cy" and sent.personalisation["until"] == "1 Rhagfyr 2026"
    assert sent.rendered().subject == TEMPLATES_CY["consent_given"].subject.format(provider="M", child="Sam")
    assert notify.template_id("consent_given", "cy") == ""  # NOTIFY_TEMPLATE_CONSENT_GIVEN_CY, unset here
    # Switching back while signed in is remembered too.
    assert '<html lang="en"' in user.get("/account/home?lang=en").text
    db.expire_all()
    assert db.get_one(Parent, record.id).language == "en"


MARKERS = {"N_", "Words", "_", "gettext", "lazy_gettext", "_l", "ngettext", "translated"}
# Where each call that reaches a person takes its message: the argument the extraction reads.
MESSAGE_ARGUMENT = {
    name: (spec[0] - 1 if isinstance(spec, tuple) else 0)
    for name, spec in EXTRACT_KEYWORDS.items()
    if name not in MARKERS
}


# Errors extraction does not know by name: their messages must be marked where written.
OTHER_ERRORS = ("Error", "Failed", "Locked", "Refused")


def _is_text(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _unextractable(path: Path) -> list[str]:
    """Messages in ``path`` that ``make extract-messages`` cannot see: an f-string or a formatted
    string as a service's message, or a plain string kept in a name first (``FAILED = "..."``
    then ``SignInFailed(FAILED)``) rather than marked with ``N_`` where it is written."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = {
        target.id: node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and _is_text(node.value)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name = node.func.id
        other = name.endswith(OTHER_ERRORS) and not hasattr(builtins, name)  # not a programming error
        where = MESSAGE_ARGUMENT.get(name, 0 if other else None)
        if where is None or len(node.args) <= where:
            continue
        message = node.args[where]
        if name not in MESSAGE_ARGUMENT and _is_text(message):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name} is not a keyword: mark it with N_")
        elif isinstance(message, ast.JoinedStr | ast.BinOp):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} formats its message in place")
        elif isinstance(message, ast.Name) and message.id in bare:
            found.append(f"{path.relative_to(ROOT)}:{bare[message.id]} {message.id} is not marked")
    return found


# The API's and the infrastructure's messages (problem details, JSON checks, database errors,
# settings) stay English (README, "Welsh").
ENGLISH_ONLY = {"api.py", "request_guard.py", "database.py", "transitions.py", "settings.py", "web.py"}


def test_every_message_a_service_raises_can_be_extracted() -> None:
    """A message is only translated if extraction finds it: the services' messages to parents and
    nurseries are literal, ``N_``-marked or ``Words`` (DWP's own modules may format English)."""
    modules = [
        path
        for package in ("claimants", "providers", "invoicing", "config")
        for path in (ROOT / package).rglob("*.py")
        if not STAFF_ONLY.search(str(path.relative_to(ROOT))) and path.name not in ENGLISH_ONLY
    ]
    assert len(modules) > 50
    problems = [problem for path in modules for problem in _unextractable(path)]
    assert problems == [], problems


@pytest.mark.parametrize("path", ["/%5Cevil.example", "/%09/evil.example", "/%5C%5Cevil.example/path"])
def test_the_language_links_never_lead_off_the_service(app: Flask, path: str) -> None:
    """A path a browser would read as another site ("/\\\\evil.example") switches on the home page."""
    page = app.test_client().get(path)
    links = re.findall(r'href="([^"]*lang=cy[^"]*)"', page.text)
    assert links and all(link.startswith("/?") for link in links), links


def test_the_language_links_keep_a_real_page_and_its_query(app: Flask) -> None:
    page = app.test_client().get("/provider/sign-in?x=1")
    assert 'href="/provider/sign-in?x=1&amp;lang=cy"' in page.text


def test_a_field_error_is_announced_as_an_error_in_welsh(live_server: LiveServer, db) -> None:
    """GOV.UK's error message starts with a visually hidden "Error:" for screen readers: on a
    Welsh page it is "Gwall:", for the widgets' fields, the date boxes and a template's own."""
    world = World(db)
    parent = User(live_server.url)
    parent.submit(parent.get("/account/sign-in?lang=cy"), world.parent.label)
    page = parent.get("/account/children/new")
    refused = parent.submit(page, cy("Add child"), date_of_birth="")
    assert refused.status_code == 400 and '<html lang="cy"' in refused.text
    hidden = re.findall(r'<span class="govuk-visually-hidden">([^<]*)</span>', refused.text)
    assert hidden.count("Gwall:") == 4 and "Error:" not in refused.text  # names, date, radios
    secret = give_password(db, world.provider_user, second_factor=True)
    nursery, _home = sign_in_provider(live_server.url, world.provider.users[0].email, PASSWORD, secret)
    listing = nursery.get("/provider/invoices?period=nope&lang=cy")
    assert listing.status_code == 400 and "Error:" not in listing.text
    assert '<span class="govuk-visually-hidden">Gwall:</span>' in listing.text


def _welsh_parent(db) -> World:
    world = World(db)
    db.get_one(Parent, world.parent.parent_id).language = "cy"
    db.commit()
    return world


def test_a_welsh_emails_link_opens_the_identity_providers_page_in_welsh(live_server: LiveServer, db) -> None:
    """In a browser that has never been to the service: the link says Welsh, the sign-in it
    redirects to asks the identity provider for Welsh (ui_locales), and its page is in Welsh."""
    world = _welsh_parent(db)
    invoice = world.submit(number="CY-LINK")
    email = db.scalars(select(Notification).where(Notification.template == "invoice_to_confirm")).one()
    link = email.personalisation["link"]
    assert email.language == "cy" and link.endswith(f"/account/invoices/{invoice.id}?lang=cy")
    user = User(live_server.url)
    sign_in = user.get(link.replace(settings_module.current().base_url.rstrip("/"), ""))
    assert "/dev-identity/authorize" in sign_in.url and "ui_locales=cy" in sign_in.url
    assert '<html lang="cy"' in sign_in.text and cy("Sign in as") in sign_in.text
    page = user.submit(sign_in, world.parent.label)
    assert page.url.endswith(f"/account/invoices/{invoice.id}") and '<html lang="cy"' in page.text
    # English readers' links are left as they are.
    english = create_parent(db)
    notify.queue_email(
        db,
        to=db.get_one(Parent, english.parent_id).email,
        template="consent_given",
        reference="e",
        provider="M",
        child="Sam",
        until="x",
        link=link.split("?")[0],
    )
    db.commit()
    latest = db.scalars(select(Notification).order_by(Notification.created_at.desc())).first()
    assert latest is not None and "lang=" not in latest.personalisation["link"]


def test_the_chosen_language_is_kept_when_a_page_sends_you_to_sign_in(live_server: LiveServer) -> None:
    user = User(live_server.url)
    sign_in = user.get("/account/home?lang=cy")  # redirects to /account/sign-in, then the provider
    assert "ui_locales=cy" in sign_in.url and '<html lang="cy"' in sign_in.text
    nursery = user.get("/provider/home?lang=cy")
    assert nursery.url.split("?")[0].endswith("/provider/sign-in") and '<html lang="cy"' in nursery.text


def test_every_page_follows_a_welsh_parents_language_once_they_are_signed_in(
    live_server: LiveServer, db
) -> None:
    """Chosen on an earlier visit (on their record), not this one: their own pages follow it, and
    so do the home page and the development outbox, which are nobody's own."""
    world = _welsh_parent(db)
    user = User(live_server.url)
    home = user.submit(user.get("/account/sign-in"), world.parent.label)
    assert '<html lang="cy"' in home.text
    for path in ("/", "/dev/outbox"):
        assert '<html lang="cy"' in user.get(path).text, path
    user.submit(home, cy("Sign out"))
    again = user.get("/account/sign-in")  # signed out: the identity provider still asked for Welsh
    assert "ui_locales=cy" in again.url and '<html lang="cy"' in again.text


def test_dwps_pages_tell_someone_who_chose_welsh_they_are_in_english_only(live_server: LiveServer) -> None:
    notice = ("Mae'r tudalennau hyn ar gael yn Saesneg yn unig", "These pages are only available in English")
    visitor = User(live_server.url)
    assert not any(words in visitor.get("/finance").text for words in notice)
    visitor.get("/provider?lang=cy")  # chose Welsh on a nursery page
    for path in ("/finance", "/finance?lang=cy", "/api/docs"):
        page = visitor.get(path)
        assert '<html lang="en"' in page.text, path
        assert '<p class="govuk-body" lang="cy">' + notice[0] in page.text and notice[1] in page.text, path
    visitor.get("/provider?lang=en")
    assert notice[1] not in visitor.get("/finance").text
    browser_says = visitor.get("/finance", headers={"Accept-Language": "cy"})
    assert notice[1] not in browser_says.text  # chose English on the service: that choice stands
    welsh_browser = User(live_server.url).get("/finance", headers={"Accept-Language": "cy-GB,cy"})
    assert notice[0] in welsh_browser.text


def test_a_welsh_choice_stays_with_the_person_who_made_it_on_a_shared_browser(
    live_server: LiveServer, db
) -> None:
    first, second = create_parent(db), create_parent(db)
    browser = User(live_server.url)
    home = browser.submit(browser.get("/account/sign-in?lang=cy"), first.label)
    assert db.get_one(Parent, first.parent_id).language == "cy"  # hers, chosen before signing in
    signed_out = browser.submit(home, cy("Sign out"))
    assert '<html lang="cy"' in signed_out.text  # the page she left stays in her language
    browser.submit(browser.get("/account/sign-in"), second.label)
    db.expire_all()
    assert db.get_one(Parent, second.parent_id).language == "en"  # never written to the next person's
