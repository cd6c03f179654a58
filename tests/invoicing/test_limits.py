"""The invoice limits are defined once (``invoicing.limits``): the API, the portal's form and the
spreadsheet upload refuse the same out-of-range values, in the same words, and save nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from invoicing import limits
from invoicing.models import Invoice
from providers.models import ProviderUser
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    create_child,
    create_consent,
    create_parent,
    create_provider_user,
    previous_month,
    provider_admin,
)
from tests.http import User, sign_in_provider
from tests.invoicing.service.test_uploads import csv_bytes, upload
from tests.invoicing.views.test_api_invoices import body, token_session


def test_the_limits_and_their_words() -> None:
    assert limits.amount_problem(1) is None and limits.amount_problem(limits.MAX_AMOUNT_PENCE) is None
    assert limits.amount_problem(0) == limits.amount_problem(-1) == limits.AMOUNT_TOO_SMALL
    assert limits.amount_problem(limits.MAX_AMOUNT_PENCE + 1) == limits.AMOUNT_TOO_LARGE
    assert limits.amount_problem(True) == limits.amount_problem(1.5) == limits.AMOUNT_NOT_WHOLE_PENCE
    assert limits.hours_problem(None) is None and limits.hours_problem(Decimal("2400")) is None
    for hours in ("-0.01", "2400.01", "1.005", "NaN", "Infinity"):
        assert limits.hours_problem(Decimal(hours)) == limits.HOURS_OUT_OF_RANGE, hours
    assert limits.description_problem(" ") == limits.ENTER_DESCRIPTION
    assert limits.description_problem("x" * 200) is None
    assert limits.description_problem("x" * 201) == limits.DESCRIPTION_TOO_LONG
    assert limits.invoice_number_problem("x" * 41) == limits.INVOICE_NUMBER_TOO_LONG
    day = date(2026, 10, 1)
    assert limits.care_period_problem(day, day + timedelta(days=91)) is None
    assert limits.care_period_problem(day, day + timedelta(days=92)) == limits.CARE_TOO_LONG
    assert limits.care_period_problem(day, day - timedelta(days=1)) == limits.CARE_OUT_OF_ORDER
    assert limits.lines_problem(0) == limits.NO_LINES and limits.lines_problem(51) == limits.TOO_MANY_LINES


# (what is wrong, the API body's change, the form's change, the spreadsheet row's change, the words)
CASES = [
    ("amount_zero", {"amount_pence": 0}, {"lines-0-amount": "0"}, {"amount": "0"}, limits.AMOUNT_TOO_SMALL),
    (
        "amount_too_large",
        {"amount_pence": limits.MAX_AMOUNT_PENCE + 1},
        {"lines-0-amount": "100000.01"},
        {"amount": "100000.01"},
        limits.AMOUNT_TOO_LARGE,
    ),
    (
        "hours_too_many",
        {"hours": "2400.5"},
        {"lines-0-hours": "2400.5"},
        {"hours": "2400.5"},
        limits.HOURS_OUT_OF_RANGE,
    ),
    (
        "description_too_long",
        {"description": "x" * 201},
        {"lines-0-description": "x" * 201},
        {"description": "x" * 201},
        limits.DESCRIPTION_TOO_LONG,
    ),
    (
        "invoice_number_too_long",
        {"invoice_number": "N" * 41},
        {"invoice_number": "N" * 41},
        {"invoice_number": "N" * 41},
        limits.INVOICE_NUMBER_TOO_LONG,
    ),
    ("care_too_long", {"care_days": 93}, {"care_days": 93}, {"care_days": 93}, limits.CARE_TOO_LONG),
    # Decimal() takes these, and once stored them as 120, 12, 1000 and 10 hours.
    (
        "hours_arabic_indic",
        {"hours": "١٢٠"},
        {"lines-0-hours": "١٢٠"},
        {"hours": "١٢٠"},
        limits.HOURS_OUT_OF_RANGE,
    ),
    (
        "hours_fullwidth",
        {"hours": "１２"},
        {"lines-0-hours": "１２"},
        {"hours": "１２"},
        limits.HOURS_OUT_OF_RANGE,
    ),
    (
        "hours_exponent",
        {"hours": "1e3"},
        {"lines-0-hours": "1e3"},
        {"hours": "1e3"},
        limits.HOURS_OUT_OF_RANGE,
    ),
    (
        "hours_underscore",
        {"hours": "1_0"},
        {"lines-0-hours": "1_0"},
        {"hours": "1_0"},
        limits.HOURS_OUT_OF_RANGE,
    ),
]


@pytest.fixture
def nursery(live_server: LiveServer, db, software):
    """The software's provider, a consent for a child, a member of staff signed in, and an API token."""
    provider = software[0]
    parent = create_parent(db)
    child = create_child(db, parent, first_name="Zara")
    consent = create_consent(db, provider_admin(provider), parent, child)
    colleague = create_provider_user(db, provider, provider_admin(provider))
    user, _ = sign_in_provider(live_server.url, db.get_one(ProviderUser, colleague.id).email, PASSWORD)
    return consent, child, user, token_session(live_server, software)


def _care(days: int | None) -> tuple[date, date]:
    start, end = previous_month()
    return (start, start + timedelta(days=days - 1)) if days else (start, end)


def _by_api(live_server: LiveServer, api, consent, change: dict) -> list[str]:
    sent = body(consent)
    start, end = _care(change.pop("care_days", None))
    sent.update(care_from=start.isoformat(), care_to=end.isoformat())
    if "invoice_number" in change:
        sent["invoice_number"] = change.pop("invoice_number")
    sent["lines"][0].update(change)
    answer = api.post(f"{live_server.url}/api/v1/invoices", json=sent, headers={"Idempotency-Key": "k-limit"})
    assert answer.status_code in (400, 422), answer.text
    return [error["message"] for error in answer.json()["errors"]]


def _by_form(user: User, consent, change: dict) -> str:
    start, end = _care(change.pop("care_days", None))
    fields = {
        "consent": str(consent.id),
        "invoice_number": change.pop("invoice_number", "INV-L1"),
        "issued_on": [str(end.day), str(end.month), str(end.year)],
        "care_from": [str(start.day), str(start.month), str(start.year)],
        "care_to": [str(end.day), str(end.month), str(end.year)],
        "lines-0-description": "Full days",
        "lines-0-hours": "120",
        "lines-0-amount": "950.00",
        **change,
    }
    answer = user.submit(user.get("/provider/invoices/new"), "Continue", **fields)
    assert answer.status_code == 400
    return answer.text


def _by_upload(user: User, child, change: dict) -> str:
    start, end = _care(change.pop("care_days", None))
    values = {
        "invoice_number": "INV-L2",
        "child_first_name": child.first_name,
        "child_last_name": child.last_name,
        "child_date_of_birth": child.date_of_birth.strftime("%d/%m/%Y"),
        "issued_on": end.strftime("%d/%m/%Y"),
        "care_from": start.strftime("%d/%m/%Y"),
        "care_to": end.strftime("%d/%m/%Y"),
        "description": "Full days",
        "hours": "120",
        "amount": "950.00",
        "eligible": "yes",
        **change,
    }
    checked = upload(user, csv_bytes([values]))
    assert "There is a problem" in checked.text and "Row 2:" in checked.text, checked.text
    return checked.text


@pytest.mark.parametrize("case, api_change, form_change, row_change, words", CASES, ids=[c[0] for c in CASES])
def test_the_api_the_form_and_the_upload_refuse_the_same_values_in_the_same_words(
    live_server: LiveServer, db, nursery, case, api_change, form_change, row_change, words
) -> None:
    consent, child, user, api = nursery
    assert words in _by_api(live_server, api, consent, dict(api_change))
    assert words in _by_form(user, consent, dict(form_change))
    assert words in _by_upload(user, child, dict(row_change))
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0


def test_more_lines_than_the_limit_are_refused_by_the_api_and_the_upload(
    live_server: LiveServer, db, nursery
) -> None:
    consent, child, user, api = nursery
    sent = body(consent)
    sent["lines"] = [sent["lines"][1]] * (limits.MAX_LINES + 1)
    answer = api.post(f"{live_server.url}/api/v1/invoices", json=sent, headers={"Idempotency-Key": "k-lines"})
    assert answer.status_code == 400 and limits.TOO_MANY_LINES in str(answer.json()["errors"])
    start, end = previous_month()
    rows = [
        {
            "invoice_number": "INV-L3",
            "child_first_name": child.first_name,
            "child_last_name": child.last_name,
            "child_date_of_birth": child.date_of_birth.strftime("%d/%m/%Y"),
            "issued_on": end.strftime("%d/%m/%Y"),
            "care_from": start.strftime("%d/%m/%Y"),
            "care_to": end.strftime("%d/%m/%Y"),
            "description": f"Day {n}",
            "hours": "1",
            "amount": "1.00",
            "eligible": "yes",
        }
        for n in range(limits.MAX_LINES + 1)
    ]
    assert limits.TOO_MANY_LINES in upload(user, csv_bytes(rows)).text
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0


def test_dates_in_other_digits_or_forms_are_refused_by_the_api_the_form_and_the_upload(
    live_server: LiveServer, db, nursery
) -> None:
    consent, child, user, api = nursery
    for n, odd in enumerate(("2026-W48-1", "20261130", "٢٠٢٦-١١-٣٠")):  # fromisoformat takes each
        sent = body(consent) | {"issued_on": odd}
        answer = api.post(
            f"{live_server.url}/api/v1/invoices", json=sent, headers={"Idempotency-Key": f"d{n}"}
        )
        assert answer.status_code == 400 and "YYYY-MM-DD" in str(answer.json()["errors"]), answer.text
    form = _by_form(user, consent, {"issued_on": ["٣٠", "١١", "٢٠٢٦"]})
    assert "Invoice date must be a real date" in form
    row = _by_upload(user, child, {"issued_on": "٣٠/١١/٢٠٢٦"})
    assert "must be a real date, like 31/10/2026" in row
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0


def test_the_numbers_in_the_limits_words_are_the_limits() -> None:
    """The words are literal, so they can be translated; each number in them is its limit."""
    assert f" {limits.MAX_INVOICE_NUMBER} characters" in limits.INVOICE_NUMBER_TOO_LONG
    assert f" {limits.MAX_DESCRIPTION} characters" in limits.DESCRIPTION_TOO_LONG
    assert f" {limits.MAX_CARE_DAYS} days" in limits.CARE_TOO_LONG
    assert f" {limits.MAX_LINES} lines" in limits.TOO_MANY_LINES
    assert f"£{limits.MAX_AMOUNT_PENCE // 100:,}" in limits.AMOUNT_TOO_LARGE
    assert f"{int(limits.MAX_HOURS):,}" in limits.HOURS_OUT_OF_RANGE
