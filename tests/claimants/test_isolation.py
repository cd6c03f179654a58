"""A parent never sees or acts on another parent's children, consents or invoices.

Every /account route that takes an id is found in the app's URL map and tried, GET and POST,
by a different signed-in parent with the owner's ids: each must answer 404 and change nothing.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from config.audit import AuditEvent
from tests.conftest import LiveServer
from tests.factories import World
from tests.http import forms, sign_in_parent


def test_every_parent_route_with_an_id_refuses_another_parent(live_server: LiveServer, db) -> None:
    owner = World(db)
    invoice = owner.submit()
    ids = {"consent_id": owner.consent.id, "invoice_id": invoice.id, "child_id": owner.child.id}
    rules = [
        rule
        for rule in live_server.app.url_map.iter_rules()
        if rule.rule.startswith("/account") and rule.arguments & {"consent_id", "invoice_id", "child_id"}
    ]
    assert len(rules) >= 5, [r.rule for r in rules]
    stranger = World(db)  # another parent, with their own consent and child
    user, _ = sign_in_parent(live_server.url, stranger.parent.label)
    token = forms(user.get("/account/children/new"))[-1].fields["csrf_token"]
    events_before = db.scalar(select(func.count()).select_from(AuditEvent))
    tried = []
    for rule in rules:
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(ids[name]), path)
        for method in sorted(rule.methods & {"GET", "POST"}):
            answer = user.http.request(
                method,
                live_server.url + path,
                data={
                    "csrf_token": token,
                    "reason": "x",
                    "decision": "approve",
                    "child": str(stranger.child.id),
                },
                timeout=30,
            )
            assert answer.status_code == 404, (method, path, answer.status_code)
            tried.append((method, path))
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert len(tried) >= 7
