"""The error summary lists every problem, linked to its field, when a form comes back empty
(a validator's words are lazy strings: they were once dropped, leaving an empty summary)."""

from __future__ import annotations

from tests.conftest import LiveServer
from tests.factories import World
from tests.http import page_csrf, sign_in_parent


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
