"""The development claim pages in a real browser, at desktop and 375 pixels, JavaScript on and off:
axe and the page's width are checked on every page visited, and no word in the claims list or the
children table is broken across two lines on a phone ("Referen" above "ce")."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, expect

from claims import development
from tests.browser import BROKEN_WORDS, WAYS, Visitor
from tests.conftest import LiveServer


@pytest.mark.parametrize(("viewport", "javascript"), WAYS)
def test_the_claims_list_and_a_claim_read_whole_words_at_any_width(
    browser: Browser, live_server: LiveServer, db, viewport, javascript
) -> None:
    for number, situation in enumerate(
        ("Award cut by earnings below the childcare element", "Joint claim, both partners working")
    ):
        development.add_claim(
            db,
            reference=f"UCE8E6AM{number}",
            claim_start_date=date(2025, 9, 1),
            joint=number == 1,
            situation=situation,
        )
    development.add_child(
        db,
        "UCE8E6AM0",
        first_name="Zara",
        last_name="Khan",
        date_of_birth=date(2022, 5, 4),
        childcare_costs=True,
    )
    visitor = Visitor(browser, live_server.url, viewport, javascript)
    page = visitor.go("/dev/claims")
    assert page.evaluate(BROKEN_WORDS, ".govuk-table") == []
    expect(page.get_by_role("region", name="Claims")).to_be_visible()
    visitor.follow("UCE8E6AM0")
    assert page.evaluate(BROKEN_WORDS, ".govuk-table") == []
    visitor.press("Remove Zara Khan from the claim")
    expect(page.get_by_text("Child removed from the claim")).to_be_visible()
    visitor.assert_no_problems()
    visitor.close()
