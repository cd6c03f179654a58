"""A consent request by email, answered on the consent screen, over HTTP; and the outbox."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from claimants import service
from claimants.models import Consent, ConsentStatus
from config.notify import Notification, send_due
from tests.conftest import LiveServer
from tests.factories import create_child, create_parent, create_provider
from tests.http import sign_in_parent


def requested(db, provider_user, parent) -> tuple[Consent, str]:
    email = service.repository.get_parent(db, parent.parent_id).email
    consent = service.request_consent(db, provider_user, parent_email=email, child_first_name="Zara")
    note = db.scalars(select(Notification).where(Notification.reference == f"consent-{consent.id}")).one()
    link = re.search(r"https?://\S+", note.rendered().body)
    assert link and note.email == email and note.status == "pending"
    return consent, link.group(0)


def test_a_parent_agrees_from_the_email_link_for_the_child_they_choose(live_server: LiveServer, db) -> None:
    provider, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    zara = create_child(db, parent, first_name="Zara")
    create_child(db, parent, first_name="Kit")
    consent, link = requested(db, provider_user, parent)
    user, _ = sign_in_parent(live_server.url, parent.label)
    screen = user.get(link)
    for text in (
        "Little Acorns would like to invoice DWP for your childcare",
        provider.registration_number,
        "Zara",
        "Kit",
    ):
        assert text in screen.text
    unchosen = user.submit(screen, "Agree")
    assert unchosen.status_code == 400 and "Select the child this provider looks after" in unchosen.text
    agreed = user.submit(unchosen, "Agree", child=str(zara.id))
    assert "Little Acorns can now invoice DWP for your childcare" in agreed.text
    db.expire_all()
    stored = db.get(Consent, consent.id)
    assert (stored.status, stored.child_id) == (ConsentStatus.AUTHORISED, zara.id)
    assert "already answered" in user.get(link).text


def test_a_parent_refuses(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    create_child(db, parent)
    consent, link = requested(db, provider_user, parent)
    user, _ = sign_in_parent(live_server.url, parent.label)
    refused = user.submit(user.get(link), "Refuse")
    assert "You refused Little Acorns consent" in refused.text
    db.expire_all()
    assert db.get(Consent, consent.id).status is ConsentStatus.REJECTED


def test_someone_else_can_not_answer_a_parents_request(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db)
    parent, stranger = create_parent(db), create_parent(db)
    _, link = requested(db, provider_user, parent)
    user, _ = sign_in_parent(live_server.url, stranger.label)
    # The request is tied to the parent's account: its link is no password for anyone else who has a
    # copy of the email (a request sent to an address with no account can be claimed: see
    # tests/claimants/test_parent_account_pages.py).
    page = user.get(link)
    assert page.status_code == 404 and "Agree" not in page.text
    claim = user.get(urlsplit(page.url).path.rsplit("/", 1)[0] + "/claim")
    assert claim.status_code == 404


def test_the_outbox_sends_through_notify_and_retries_failures(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db)
    db.execute(delete(Notification))  # the registration email: only the consent request is wanted here
    db.commit()
    parent = create_parent(db)
    requested(db, provider_user, parent)

    class Flaky:
        """Stands in for GOV.UK Notify (no network here): fails once, then accepts."""

        def __init__(self) -> None:
            self.calls: list[dict] = []

        def send_email_notification(self, **kwargs: object) -> dict:
            self.calls.append(kwargs)
            if len(self.calls) == 1:
                raise ConnectionError("Notify did not answer")
            return {"id": "notify-123"}

    notify = Flaky()
    assert send_due(db, notify) == {"sent": 0, "retrying": 1, "failed": 0, "not_sent": 0}
    note = db.scalars(select(Notification)).one()
    note.next_attempt_at = note.created_at  # the backoff has passed
    db.commit()
    assert send_due(db, notify) == {"sent": 1, "retrying": 0, "failed": 0, "not_sent": 0}
    assert (note.status, note.notify_id, note.attempts) == ("sent", "notify-123", 2)
    assert send_due(db, notify) == {"sent": 0, "retrying": 0, "failed": 0, "not_sent": 0}  # never twice


def test_the_development_outbox_lists_emails_with_their_links(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    _, link = requested(db, provider_user, parent)
    user, _ = sign_in_parent(live_server.url, parent.label)
    page = user.get("/dev/outbox")
    assert "Little Acorns asks to invoice DWP for Zara" in page.text and f'href="{link}"' in page.text
    assert "Waiting to be sent" in page.text
    send_due(db, None)  # development: no GOV.UK Notify key
    page = user.get("/dev/outbox")
    assert "Not sent: there is no GOV.UK Notify key in development" in page.text
    assert "not_sent" not in page.text and "pending" not in page.text  # words, not the column's codes
