"""The error summary lists every problem, linked to its field, when a form comes back empty
(a validator's words are lazy strings: they were once dropped, leaving an empty summary)."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.factories import World
from tests.http import page_csrf, sign_in_parent
from tests.invoicing.views.test_nursery_pages import staff_of


def test_an_empty_form_lists_its_problems_in_the_summary(live_server: LiveServer, db) -> None:
    world = World(db)
    invoice = world.submit()
    parent, _ = sign_in_parent(live_server.url, world.parent.label)
    for path in ("/account/children/new", f"/account/invoices/{invoice.id}/dispute"):
        page = parent.get(path)
        answer = parent.http.post(page.url, data={"csrf_token": page_csrf(page)}, timeout=30)
        assert answer.status_code in (200, 400), path
        summary = answer.text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
        assert summary.count('<a href="#') >= 1, (path, summary)


def test_every_mistake_on_the_invoice_form_is_listed_at_once_each_linked_to_its_box(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    user = staff_of(live_server, db, world)
    answer = user.submit(
        user.get("/provider/invoices/new"),
        "Continue",
        consent=str(world.consent.id),
        invoice_number="INV-E1",
        issued_on=["1", "11", "2026"],
        care_from=["1", "11", "2026"],
        care_to=["31", "13", "2027"],  # not a real date
        **{"lines-0-description": "Full days", "lines-0-amount": "£1,2x0.00"},
        **{"lines-1-description": "Meals", "lines-1-amount": "950,00"},
    )
    assert answer.status_code == 400
    summary = answer.text.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    for box in ("#care_to-day", "#lines-0-amount", "#lines-1-amount"):
        assert f'href="{box}"' in summary, (box, summary)
    assert 'id="lines-1-amount"' in answer.text and "govuk-input--error" in answer.text
    assert 'value="950,00"' in answer.text  # what was typed is kept
