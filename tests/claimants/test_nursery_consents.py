"""The nursery's consents page: its own words, a filter, and sending a request again (once a day)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from claimants import consent_resend
from claimants import service as claimants
from claimants.models import Consent
from config.audit import AuditEvent
from config.notify import Notification
from tests.conftest import LiveServer
from tests.factories import World
from tests.http import page_csrf
from tests.invoicing.views.test_nursery_pages import staff_of


def test_the_consents_page_speaks_as_the_nursery_and_filters_by_state(live_server: LiveServer, db) -> None:
    world = World(db)
    claimants.request_consent(db, world.provider_user, parent_email="ola@example.com", child_first_name="Ola")
    user = staff_of(live_server, db, world)
    page = user.get("/provider/consents")
    assert "Waiting for the parent" in page.text and "Waiting for you" not in page.text
    assert "Ola" in page.text and world.child.first_name in page.text
    waiting = user.get("/provider/consents", params={"show": "waiting"})
    assert "Ola" in waiting.text and "Sam Test" not in waiting.text
    given = user.get("/provider/consents", params={"show": "given"})
    assert "Sam Test" in given.text and "ola@example.com" not in given.text
    assert "No consents match." in user.get("/provider/consents", params={"show": "ended"}).text
    claimants.revoke_consent(db, world.parent, world.consent.id)
    ended = user.get("/provider/consents", params={"show": "ended"})
    assert "Sam Test" in ended.text and "Stopped by the parent" in ended.text


def test_a_request_shows_every_problem_at_once_and_refuses_an_address_that_cannot_be_one(
    live_server: LiveServer, db
) -> None:
    user = staff_of(live_server, db, World(db))
    refused = user.submit(user.get("/provider/consents/ask"), "Send request", parent_email="bad@")
    assert refused.status_code == 400
    for message in (
        "Enter an email address in the correct format, like name@example.com",
        "Enter the child’s first name",
    ):
        assert refused.text.count(message) == 2, message  # in the summary and by its field
    assert db.scalars(select(Consent).where(Consent.requested_email == "bad@")).all() == []


def test_a_waiting_request_is_sent_again_at_most_once_a_day(live_server: LiveServer, db, monkeypatch) -> None:
    world = World(db)
    request = claimants.request_consent(
        db, world.provider_user, parent_email="ola@example.com", child_first_name="Ola"
    )
    user = staff_of(live_server, db, world)
    page = user.get("/provider/consents")
    assert "You can send it again from" in page.text  # just asked: not yet
    assert "Send the request again" not in page.text

    first = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "consent.requested", AuditEvent.entity_id == str(request.id)
        )
    ).one()
    first_time = first.occurred_at
    # A day on: the audit log cannot be changed, so the served app reads the request as a day older.
    monkeypatch.setattr(consent_resend, "last_sent", lambda session, consent: first_time - timedelta(days=1))
    again = user.submit(user.get("/provider/consents"), "Send the request again for Ola")
    monkeypatch.undo()
    assert "We have emailed ola@example.com again to ask for consent" in again.text
    emails = db.scalars(select(Notification).where(Notification.email == "ola@example.com")).all()
    assert [email.template for email in emails] == ["consent_request", "consent_request"]
    assert emails[1].personalisation["link"].endswith(f"/account/consents/{request.id}/respond")
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "consent.request_resent")).one()

    # Straight away again: refused, and nobody is emailed a third time.
    again = user.get("/provider/consents")
    assert "You can send it again from" in again.text and "Send the request again" not in again.text
    refused = user.http.post(
        f"{live_server.url}/provider/consents/{request.id}/resend",
        data={"csrf_token": page_csrf(user.get("/provider/home"))},
        timeout=30,
    )
    assert "You sent this request in the last day" in refused.text
    assert len(db.scalars(select(Notification).where(Notification.email == "ola@example.com")).all()) == 2
    # A given consent is not waiting: nothing to send.
    answered = user.http.post(
        f"{live_server.url}/provider/consents/{world.consent.id}/resend",
        data={"csrf_token": page_csrf(user.get("/provider/home"))},
        timeout=30,
    )
    assert "The parent has already answered this request" in answered.text
    assert db.get_one(Consent, world.consent.id).status.value == "authorised"
