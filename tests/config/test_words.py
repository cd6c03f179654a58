"""Every machine name a page can show has words (config/words.py): every state of every life
cycle, every audit event the code records, every flag, reason, regulator and role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from config import words
from config.transitions import MACHINES

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "staff", "claims", "providers", "claimants", "invoicing")
# An audit action is "<thing>.<what happened>": the literal ones the code records.
ACTION = re.compile(
    r"\"((?:invoice|batch|payment|provider|provider_user|provider_sign_in|api_client|webhook|consent|"
    r"parent|child|oauth|staff|returns|upload|audit_log|statement|award_difference|dev_claim)\.[a-z_]+)\""
)


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found.update(ACTION.findall(path.read_text(encoding="utf-8")))
    found -= {"returns.csv", "staff.models"}  # a file name and a module, not events
    for machine in MACHINES.values():
        found.update(machine.action(state) for state in machine.states)
    return found


def test_every_audit_event_has_words(app: Flask) -> None:
    actions = recorded_actions()
    assert len(actions) > 60  # the search found the code's events, not nothing
    named = words.kinds()["event"]
    assert sorted(actions - set(named)) == []


# What an audit event can be about: every table (``audit.record`` names the entity's table) and
# every name the code gives ``audit.record_many`` itself.
TABLE = re.compile(r"__tablename__ = \"([a-z_]+)\"")
MANY = re.compile(r"record_many\(\s*session,\s*[^,]+,\s*\"([a-z_]+)\"")


def audited_record_kinds() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found.update(TABLE.findall(text))
            found.update(MANY.findall(text))
    return found


def test_every_kind_of_record_the_audit_log_holds_has_words(app: Flask) -> None:
    """The audit page names each kind in words ("Assessment period statements", not "Ap statements")."""
    kinds = audited_record_kinds()
    assert {"ap_statements", "council_exports", "audit_log", "dev_claims"} <= kinds  # the search worked
    named = words.kinds()["record_kind"]
    assert sorted(kinds - set(named)) == []


@pytest.mark.parametrize(
    ("kind", "enum_path"),
    [
        ("invoice_status_nursery", "invoicing.models:InvoiceStatus"),
        ("invoice_status_parent", "invoicing.models:InvoiceStatus"),
        ("invoice_status_staff", "invoicing.models:InvoiceStatus"),
        ("batch_status", "invoicing.models:BatchStatus"),
        ("payment_status", "invoicing.models:PaymentStatus"),
        ("flag", "invoicing.models:InvoiceFlag"),
        ("consent_status_parent", "claimants.models:ConsentStatus"),
        ("consent_status_nursery", "claimants.models:ConsentStatus"),
        ("provider_status", "providers.models:ProviderStatus"),
        ("regulator", "providers.models:Regulator"),
        ("role", "config.auth:StaffRole"),
    ],
)
def test_every_state_has_words(app: Flask, kind: str, enum_path: str) -> None:
    module, name = enum_path.split(":")
    enum = getattr(__import__(module, fromlist=[name]), name)
    named = words.kinds()[kind]
    assert sorted(member.value for member in enum if member.value not in named) == []


def test_a_name_with_no_words_is_shown_as_it_is_for_the_page_checks_to_catch(app: Flask) -> None:
    with app.test_request_context():
        shown = words.words("invoice.on_hold", "event")
    assert shown == "Put on hold"
    assert words.words("invoice.no_such_thing", "event") == "invoice.no_such_thing"
    assert words.words(None, "event") == ""


COUNTED = re.compile(
    r"%\(\w+\)[sd] (?:\w+ )?(invoices|rows|providers|payments|days|children|consents|lines|colleagues|"
    r"files|errors|problems|breaks|people|drafts|emails|weeks|months)\b"
)


def test_a_count_of_things_goes_through_ngettext() -> None:
    """ "1 invoices" is what a message gets when it takes a count without ngettext."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    singular_only = []
    plural_seen = 0
    for package in PACKAGES:
        for file, line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map, keywords=keywords
        ):
            if isinstance(message, str) and COUNTED.search(message):
                singular_only.append(f"{package}/{file}:{line}: {message}")
            elif isinstance(message, tuple):
                plural_seen += 1
    assert plural_seen > 5
    assert singular_only == []
