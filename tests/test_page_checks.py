"""The checks every rendered page goes through (tests/page_checks.py) find what they should."""

from __future__ import annotations

import pytest

from tests.page_checks import problems_in

GOOD = """<html><head><title>Error: Invoice – Childcare Direct – GOV.UK</title></head><body>
<svg><title>GOV.UK</title></svg>
<div class="govuk-error-summary"><ul class="govuk-list govuk-error-summary__list">
<li><a href="#care_from-day">Enter the day</a></li></ul></div>
<label for="care_from-day">Day</label><input id="care_from-day" name="care_from">
<input type="hidden" name="csrf_token"><input type="search" aria-label="Search">
<p>Waiting for the parent</p><code>invoice.on_hold</code><pre>{"status": "on_hold"}</pre>
<p>nadia@little.example wrote to gov.uk</p></body></html>"""


def test_a_good_page_has_no_problems() -> None:
    assert problems_in(GOOD) == []


def test_english_left_on_a_welsh_page_is_found() -> None:
    welsh = GOOD.replace("<html>", '<html lang="cy">').replace(
        "Waiting for the parent", "Yn aros am y rhiant"
    )
    welsh = welsh.replace("<p>nadia@little.example wrote to gov.uk</p>", "")
    welsh = welsh.replace("Enter the day", "Rhowch y diwrnod")
    assert problems_in(f"<main>{welsh}</main>") == []
    assert problems_in(f"<main>{welsh.replace('Yn aros am y rhiant', 'Waiting for the parent')}</main>") != []
    # English a Welsh page marks as English (an email to an English reader, a notice) is meant.
    marked = welsh.replace("<p>Yn aros am y rhiant</p>", '<div lang="en"><p>Waiting for the parent</p></div>')
    assert problems_in(f"<main>{marked}</main>") == []
    assert problems_in(f"<main>{marked}<p>and after it</p></main>") != []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("<p>Waiting for the parent</p>", '<p>&lt;p class="x"&gt;You confirmed it&lt;/p&gt;</p>'),
        ("<p>Waiting for the parent</p>", "<p>Child None</p>"),
        ("<p>Waiting for the parent</p>", "<p>invoice.on_hold – Cara</p>"),
        ("<p>Waiting for the parent</p>", "<p>Status: on_hold</p>"),
        ('<input type="search" aria-label="Search">', '<input type="text" name="q">'),
        (
            '<input type="hidden" name="csrf_token">',
            '<input type="hidden" name="csrf_token"><p id="care_from-day"></p>',
        ),
        ('<a href="#care_from-day">', '<a href="#">'),
        ('<a href="#care_from-day">', '<a href="#no-such-field">'),
        ("<title>Error: Invoice", "<title>Invoice"),
        ('<li><a href="#care_from-day">Enter the day</a></li>', ""),
    ],
)
def test_each_problem_is_found(change: str, problem: str) -> None:
    assert change in GOOD
    assert problems_in(GOOD.replace(change, problem, 1)) != []
