"""What DWP staff read: the caseworker's invoice (lines, hours, overlaps, the monthly maximum),
search, the providers directory, spend reports by month and region with their CSV exports, and
each page's buttons as each role sees them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from claimants.models import Parent
from config.auth import StaffRole
from invoicing import service
from invoicing.models import Invoice, Payment, PaymentBatch
from providers.models import Provider
from tests.conftest import LiveServer
from tests.factories import World, create_provider, create_staff, send_by_bacs
from tests.http import forms, sign_in_staff


def staff(live_server: LiveServer, db, role: StaffRole, name: str):
    create_staff(db, role, name=name)
    user, _ = sign_in_staff(live_server.url, name)
    return user


def buttons(page) -> set[str]:
    return {label for form in forms(page) for label in form.buttons}


def paid_payment(db, world: World) -> Payment:
    world.approved_invoice()
    batch = world.approved_batch()
    send_by_bacs(db, world.approver, batch.id)
    payment = db.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    return service.record_payment_paid(db, world.officer, payment.id)


def test_the_caseworker_sees_lines_hours_the_overlapping_invoice_and_the_cap(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    first = world.submit(number="INV-FIRST", hours="100")
    flagged = world.submit(number="INV-SECOND", hours="999", eligible_pence=30_000, extras_pence=0)
    assert {"implausible_hours", "overlapping_care"} <= set(flagged.flags)
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")
    page = case.get(f"/finance/invoices/{flagged.id}").text
    assert "Full days" in page and "999.00" in page and "999 hours over" in page  # the line, its hours
    assert "Implausible hours" in page and "Overlapping care" in page  # flags in words
    assert "more than the" in page and "hours that are plausible" in page
    assert f'href="/finance/invoices/{first.id}"' in page and "INV-FIRST" in page
    # The monthly maximum: £1,031.88 for one child (2025-26), the first invoice's £807.50 used.
    assert "Monthly maximum in this assessment period" in page
    assert "DWP’s share of the parent’s other invoices" in page and "£807.50" in page
    used = 80750 + flagged.dwp_pence
    assert f"£{used // 100:,}.{used % 100:02d}" in page
    assert "Waiting for the parent to confirm" in page  # the state, in words
    assert world.provider.name in page and "Sam Test" in page


def test_search_finds_payments_invoices_providers_and_parents(live_server: LiveServer, db) -> None:
    world = World(db)
    payment = paid_payment(db, world)
    officer = staff(live_server, db, StaffRole.AUDITOR, "Aud Itor")
    by_reference = officer.get("/finance/search", params={"q": payment.reference.lower()}).text
    assert f'href="/finance/payments/{payment.id}"' in by_reference and "Paid" in by_reference
    numbers = [i.invoice_number for i in db.scalars(select(Invoice))]
    by_number = officer.get("/finance/search", params={"q": numbers[0]}).text
    assert numbers[0] in by_number and "Paid" in by_number
    provider = world.provider
    for words in (provider.name[:5], provider.registration_number.lower(), "sw1a2aa", "SW1A"):
        found = officer.get("/finance/search", params={"q": words})
        assert found.status_code == 200 and provider.name in found.text, words
    parent_name = db.get_one(Parent, world.parent.parent_id).name
    by_parent = officer.get("/finance/search", params={"q": parent_name}).text
    assert parent_name in by_parent and numbers[0] in by_parent
    nothing = officer.get("/finance/search", params={"q": "no such thing"}).text
    assert "Nothing matches ‘no such thing’" in nothing


def test_search_pages_through_a_providers_invoices(live_server: LiveServer, db) -> None:
    world = World(db)
    for n in range(27):
        world.submit(number=f"PAGE-{n:02d}", care_from=None)
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")
    first = case.get("/finance/search", params={"q": world.provider.registration_number})
    assert first.text.count('href="/finance/invoices/') == 25
    next_link = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = case.get(next_link)
    assert second.status_code == 200 and second.text.count('href="/finance/invoices/') == 2
    assert "PAGE-00" in second.text and 'rel="next"' not in second.text


def test_the_providers_directory_searches_by_name_registration_and_postcode(
    live_server: LiveServer, db
) -> None:
    acorns, _ = create_provider(db, name="Little Acorns Nursery")
    oaks, _ = create_provider(db, name="Great Oaks Day Care", verified=False)
    db.get_one(Provider, oaks.id).postcode = "LS1 4AP"
    db.commit()
    auditor = staff(live_server, db, StaffRole.AUDITOR, "Aud Itor")
    everyone = auditor.get("/finance/providers").text
    assert "Little Acorns Nursery" in everyone and "Great Oaks Day Care" in everyone
    assert "Ofsted" in everyone and "Waiting for verification" in everyone and "Verified" in everyone
    for words, found, not_found in (
        ("acorns", acorns, oaks),
        (oaks.registration_number, oaks, acorns),
        ("ls14ap", oaks, acorns),
        ("LS1", oaks, acorns),
    ):
        page = auditor.get("/finance/providers", params={"q": words}).text
        assert found.name in page and not_found.name not in page, words
    none = auditor.get("/finance/providers", params={"q": "zzz"}).text
    assert "No provider matches ‘zzz’" in none


def test_the_directory_is_paginated(live_server: LiveServer, db) -> None:
    for n in range(51):
        create_provider(db, name=f"Paged Nursery {n:02d}", verified=False)
    case = staff(live_server, db, StaffRole.CASEWORKER, "Cara Caseworker")
    first = case.get("/finance/providers", params={"q": "Paged"}).text
    assert first.count("Paged Nursery") == 50 and 'rel="next"' in first
    link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = case.get(link).text
    assert second.count("Paged Nursery") == 1 and "Paged Nursery 00" in second


def test_spend_reports_by_month_and_region_with_a_date_range_and_csv_in_pounds(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    payment = paid_payment(db, world)
    # A second payment, paid in an earlier month, to a provider in another region.
    other = World(db)
    db.get_one(Provider, other.provider.id).region = "Wales"
    db.commit()
    earlier = paid_payment(db, other)
    earlier.paid_at = datetime.now(UTC).replace(day=1) - timedelta(days=20)
    db.get_one(PaymentBatch, earlier.batch_id).built_at = earlier.paid_at - timedelta(days=2)
    db.commit()
    officer = staff(live_server, db, StaffRole.FINANCE_OFFICER, "Femi Finance")
    page = officer.get("/finance/reports").text
    assert "Spend by assessment period" not in page
    assert "Spend by month of payment" in page and "Spend by provider region" in page
    this_month = f"{payment.paid_at:%B %Y}"
    assert this_month in page and f"{earlier.paid_at:%B %Y}" in page
    assert "London" in page and "Wales" in page and "£807.50" in page and "£1,615.00" in page
    assert "font-family='\"GDS Transport\", arial, sans-serif'" in page  # the chart's own typeface

    today = datetime.now(UTC).date()
    start = today.replace(day=1)
    only_this_month = {"start": [str(start.day), str(start.month), str(start.year)]}
    only_this_month["end"] = [str(today.day), str(today.month), str(today.year)]
    narrow = officer.get("/finance/reports", params=only_this_month).text
    assert "Wales" not in narrow and "London" in narrow and "£1,615.00" not in narrow
    exported = officer.get("/finance/reports/payments.csv", params=only_this_month)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["Provider"], r["Status"], r["Amount (£)"], r["Amount (pence)"]) for r in rows] == [
        (world.provider.name, "Paid", "807.50", "80750")
    ]
    invoices = officer.get("/finance/reports/invoices.csv", params=only_this_month)
    lines = list(csv.DictReader(io.StringIO(invoices.content.decode("utf-8-sig"))))
    assert {r["Provider"] for r in lines} == {world.provider.name, other.provider.name}  # sent this month
    assert {r["Child"] for r in lines} == {"Sam Test"} and {r["DWP share (£)"] for r in lines} == {"807.50"}
    batches = officer.get("/finance/reports/batches.csv", params=only_this_month)
    assert "Sent for payment" in batches.content.decode("utf-8-sig") or "Paid in full" in batches.text

    backwards = {"start": only_this_month["end"], "end": ["1", "1", str(today.year - 1)]}
    refused = officer.get("/finance/reports", params=backwards)
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "The last day must be the same as or after the first day" in refused.text
    assert officer.get("/finance/reports/payments.csv", params=backwards).status_code == 400


PAGES_AND_ACTIONS = {
    # page -> {role: buttons that change something the role may press}
    "batch": {
        StaffRole.FINANCE_OFFICER: {"Cancel batch"},
        StaffRole.APPROVER: {"Approve batch", "Cancel batch"},
        StaffRole.AUDITOR: set(),
    },
    "provider": {
        StaffRole.CASEWORKER: {"Record local authority"},
        StaffRole.FINANCE_OFFICER: {
            "Release new payment details",
            "Record connected account",
            "Record bank details",
            "Record local authority",
        },
        StaffRole.APPROVER: {"Release new payment details"},
        StaffRole.AUDITOR: set(),
    },
    "batches": {
        StaffRole.FINANCE_OFFICER: {"Build a batch now"},
        StaffRole.APPROVER: set(),
        StaffRole.AUDITOR: set(),
    },
    "invoice": {
        StaffRole.CASEWORKER: {"Record decision"},
        StaffRole.FINANCE_OFFICER: set(),
        StaffRole.APPROVER: set(),
        StaffRole.AUDITOR: set(),
    },
}
SEARCHING = {"Search", "Search providers", "Show these days", "Sign out"}


@pytest.mark.parametrize("role", list(StaffRole))
def test_each_role_sees_only_the_actions_it_may_take(live_server: LiveServer, db, role: StaffRole) -> None:
    from providers import payees

    world = World(db)
    invoice = world.submit(hours="999")
    service.confirm_invoice(db, world.parent, invoice.id)
    other = World(db)
    other.approved_invoice()
    batch = service.build_batch(db, other.officer)
    service.request_batch_approval(db, other.officer, batch.id)
    payees.change_payee(
        db,
        create_staff(db, StaffRole.FINANCE_OFFICER),
        world.provider.id,
        payees.StripeAccount("acct_1X"),
        "phone",
    )
    person = staff(live_server, db, role, f"Someone {role.name.title().replace('_', ' ')}")
    urls = {
        "batch": f"/finance/batches/{batch.id}",
        "provider": f"/finance/providers/{world.provider.id}",
        "batches": "/finance/batches",
        "invoice": f"/finance/invoices/{invoice.id}",
    }
    for name, url in urls.items():
        page = person.get(url)
        expected = PAGES_AND_ACTIONS[name].get(role)
        if expected is None:
            assert page.status_code == 403, (name, role)
            continue
        assert page.status_code == 200, (name, role)
        assert buttons(page) - SEARCHING == expected, (name, role, buttons(page))
    for read_only in ("/finance/providers", "/finance/jobs", "/finance/search?q=x"):
        assert buttons(person.get(read_only)) - SEARCHING == set(), read_only
    if role is StaffRole.AUDITOR:
        for url in ("/finance/breaks", "/finance/bacs-returns", "/finance/queue", "/finance/reports"):
            page = person.get(url)
            assert page.status_code == 200 and buttons(page) - SEARCHING == set(), url
