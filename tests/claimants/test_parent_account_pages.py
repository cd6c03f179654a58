"""The parent's own pages over HTTP: a request claimed from another sign-in, consent through
nursery software before the claim is linked, warnings near a consent's end, the name the identity
provider gives, the parent's own navigation and why the disability question is asked."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import select, update

from claimants import service
from claimants.models import Consent, ConsentStatus
from config import audit
from config.auth import SYSTEM
from config.database import utcnow
from config.notify import Notification
from tests.conftest import LiveServer
from tests.factories import create_child, create_consent, create_parent, create_provider
from tests.http import sign_in_parent


def emailed_request(db, provider_user, email: str, child: str = "Zara") -> tuple[Consent, str]:
    consent = service.request_consent(db, provider_user, parent_email=email, child_first_name=child)
    note = db.scalars(select(Notification).where(Notification.reference == f"consent-{consent.id}")).one()
    return consent, re.search(r"https?://\S+", note.rendered().body).group(0)  # type: ignore[union-attr]


def test_a_request_sent_to_another_email_is_claimed_after_checking_the_child(
    live_server: LiveServer, db
) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    partner = create_parent(db)
    zara = create_child(db, partner, first_name="Zara")
    consent, link = emailed_request(db, provider_user, "the.other.parent@example.com")
    user, _ = sign_in_parent(live_server.url, partner.label)
    check = user.get(link)
    assert urlsplit(check.url).path == f"/account/consents/{consent.id}/claim"
    for text in ("Is this request for your child?", "Little Acorns", "Zara Test", "Born "):
        assert text in check.text
    assert "the.other.parent@example.com" not in check.text  # whom it was sent to is not shown
    screen = user.submit(check, "Yes, this request is for my child")
    assert urlsplit(screen.url).path == f"/account/consents/{consent.id}/respond"
    agreed = user.submit(screen, "Agree", child=str(zara.id))
    assert "Little Acorns can now invoice DWP for your childcare" in agreed.text
    db.expire_all()
    stored = db.get_one(Consent, consent.id)
    assert (stored.status, stored.parent_id, stored.child_id) == (
        ConsentStatus.AUTHORISED,
        partner.parent_id,
        zara.id,
    )
    claimed = [
        e for e in audit.events_for(db, "consents", consent.id) if e.action == "consent.request_claimed"
    ]
    assert len(claimed) == 1 and claimed[0].data["requested_email"] == "the.other.parent@example.com"
    # Answered: nobody else can claim it now.
    stranger = create_parent(db)
    other, _ = sign_in_parent(live_server.url, stranger.label)
    assert other.get(link).status_code == 404
    assert other.get(f"/account/consents/{consent.id}/claim").status_code == 404


def test_consent_through_nursery_software_asks_for_the_claim_first_then_comes_back(
    live_server: LiveServer, db, software
) -> None:
    _, client_id, secret, redirect_uri = software
    parent = create_parent(db, linked=False)
    client = OAuth2Session(
        client_id, secret, redirect_uri=redirect_uri, scope="consent", code_challenge_method="S256"
    )
    url, _ = client.create_authorization_url(f"{live_server.url}/oauth/authorize", code_verifier="v" * 64)
    user, _ = sign_in_parent(live_server.url, parent.label)
    first = user.get(url)
    assert urlsplit(first.url).path == "/account/claim"
    assert "Link your claim before you give your consent" in first.text
    back = user.submit(
        first,
        "Continue",
        claim_reference="UC99887766",
        nino="JK 98 76 54 A",
        claim_start_date=["1", "3", "2025"],  # type: ignore[arg-type]  # one value per box
    )
    assert urlsplit(back.url).path == "/oauth/authorize", back.text[:500]
    assert "Little Acorns would like to invoice DWP for your childcare" in back.text


def test_the_home_page_warns_of_a_consent_ending_and_of_one_ended(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    consent = create_consent(db, provider_user, parent, create_child(db, parent, first_name="Zara"))
    user, home = sign_in_parent(live_server.url, parent.label)
    assert "Little Acorns to invoice DWP for Zara lasts until" not in home.text
    db.execute(
        update(Consent).where(Consent.id == consent.id).values(expires_at=utcnow() + timedelta(days=6))
    )
    db.commit()
    home = user.get("/account/home")
    assert "Your consent for Little Acorns to invoice DWP for Zara lasts until" in home.text
    assert "Renew your consent" in home.text
    service.expire_consents(db, SYSTEM, now=utcnow() + timedelta(days=7))
    home = user.get("/account/home")
    assert "Your consent for Little Acorns to invoice DWP for Zara ended on" in home.text
    consents = user.get("/account/consents")
    renewed = user.submit(consents, "Renew for another year for Little Acorns and Zara")
    assert "Your consent now lasts until" in renewed.text
    assert "ended on" not in user.get("/account/home").text


def test_the_stop_page_says_what_happens_to_waiting_invoices_and_who_pays(
    live_server: LiveServer, db
) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    consent = create_consent(db, provider_user, parent, create_child(db, parent, first_name="Zara"))
    user, _ = sign_in_parent(live_server.url, parent.label)
    page = user.get(f"/account/consents/{consent.id}/stop").text
    assert "Invoices waiting for you stay on your account" in page
    assert "From now on you pay Little Acorns the full cost of Zara’s childcare" in page


def test_parent_pages_show_the_parents_name_and_only_the_parents_navigation(
    live_server: LiveServer, db
) -> None:
    parent = create_parent(db)
    user, home = sign_in_parent(live_server.url, parent.label)
    assert parent.label in home.text
    nav = re.search(r'<nav aria-label="Menu".*?</nav>', home.text, re.S)
    assert nav, "service navigation"
    for text in ("Your account", "Invoices", "What DWP pays", "Consents"):
        assert text in nav.group(0)
    for other in ("Childcare providers", "DWP staff", "/provider", "/finance"):
        assert other not in nav.group(0)
    elsewhere = user.get("/")
    assert "DWP staff" in elsewhere.text  # the three portals outside a parent's own pages


def test_the_disability_question_says_why_it_is_asked(live_server: LiveServer, db) -> None:
    parent = create_parent(db)
    user, _ = sign_in_parent(live_server.url, parent.label)
    page = user.get("/account/children/new").text
    assert "Disability Access Fund" in page and "does not change what DWP pays" in page
