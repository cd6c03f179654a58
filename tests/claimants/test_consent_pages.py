"""The parent's consent dashboard over HTTP: see, renew and stop consents; nobody else's."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import update

from claimants.models import Consent, ConsentStatus
from config.database import utcnow
from tests.conftest import LiveServer
from tests.factories import create_child, create_consent, create_parent, create_provider
from tests.http import forms, sign_in_parent


def test_the_dashboard_is_two_clicks_from_home_and_shows_every_consent(live_server: LiveServer, db) -> None:
    provider, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    consent = create_consent(db, provider_user, parent, create_child(db, parent, first_name="Zara"))
    user, home = sign_in_parent(live_server.url, parent.label)
    assert 'href="/account/consents"' in home.text
    page = user.get("/account/consents")
    assert page.status_code == 200
    for text in (
        "Little Acorns: Zara",
        "Given",
        provider.registration_number,
        provider.postcode,
    ):
        assert text in page.text
    # Renewing is offered only near the end, not just after consenting.
    assert "This consent lasts until" not in page.text and "Renew for another year" not in page.text
    db.execute(
        update(Consent).where(Consent.id == consent.id).values(expires_at=utcnow() + timedelta(days=20))
    )
    db.commit()
    near = user.get("/account/consents").text
    assert "This consent lasts until" in near and "Renew for another year" in near


def test_stopping_a_consent_asks_first_then_stops_it(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    parent = create_parent(db)
    consent = create_consent(db, provider_user, parent, create_child(db, parent, first_name="Zara"))
    user, _ = sign_in_parent(live_server.url, parent.label)
    ask = user.get(f"/account/consents/{consent.id}/stop")
    assert "Stop Little Acorns invoicing DWP for Zara" in ask.text
    done = user.submit(ask, "Stop consent")
    assert urlsplit(done.url).path == "/account/consents"
    assert "Little Acorns can no longer invoice DWP for Zara" in done.text
    db.expire_all()
    assert db.get(Consent, consent.id).status is ConsentStatus.REVOKED


def test_renewing_a_consent_extends_it(live_server: LiveServer, db) -> None:
    provider, provider_user = create_provider(db)
    parent = create_parent(db)
    child = create_child(db, parent)
    consent = create_consent(db, provider_user, parent, child)
    db.execute(
        update(Consent).where(Consent.id == consent.id).values(expires_at=utcnow() + timedelta(days=10))
    )
    db.commit()
    user, _ = sign_in_parent(live_server.url, parent.label)
    renewed = user.submit(
        user.get("/account/consents"), f"Renew for another year for {provider.name} and {child.first_name}"
    )
    assert "Your consent now lasts until" in renewed.text
    db.expire_all()
    assert db.get(Consent, consent.id).expires_at > utcnow() + timedelta(days=300)


def test_another_parents_consent_can_not_be_seen_or_stopped(live_server: LiveServer, db) -> None:
    _, provider_user = create_provider(db, name="Little Acorns")
    owner, stranger = create_parent(db), create_parent(db)
    consent = create_consent(db, provider_user, owner, create_child(db, owner, first_name="Zara"))
    user, _ = sign_in_parent(live_server.url, stranger.label)
    assert "Zara" not in user.get("/account/consents").text
    assert user.get(f"/account/consents/{consent.id}/stop").status_code == 404
    token = forms(user.get("/account/children/new"))[-1].fields["csrf_token"]
    forged = user.http.post(
        f"{live_server.url}/account/consents/{consent.id}/stop", data={"csrf_token": token}, timeout=30
    )
    assert forged.status_code == 404
    db.expire_all()
    assert db.get(Consent, consent.id).status is ConsentStatus.AUTHORISED
