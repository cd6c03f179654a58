"""The nursery's team over HTTP: an admin removes a colleague (their sessions end at once),
changes a role, sends an invitation again or cancels it; the last admin cannot step down; staff
can do none of it. And a new API client's secret page survives a reload without a second client."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from config.audit import AuditEvent
from config.errors import DomainError, Forbidden, NotFound
from config.notify import Notification
from providers import accounts, team
from providers.models import ApiClient, ProviderInvitation, ProviderUser, ProviderUserRole
from providers.security_models import SecretReveal
from tests.conftest import LiveServer
from tests.factories import PASSWORD, create_provider, create_provider_user, give_password
from tests.http import User, page_csrf, sign_in_provider


def path(response) -> str:
    return urlsplit(response.url).path


def signed_in_admin(live_server: LiveServer, db):
    provider, admin = create_provider(db)
    secret = give_password(db, admin, second_factor=True)
    user, _ = sign_in_provider(live_server.url, provider.users[0].email, PASSWORD, secret)
    return provider, admin, user


def signed_in_colleague(live_server: LiveServer, db, provider, admin, *, role: str = "staff"):
    colleague = create_provider_user(db, provider, admin, role=role)
    email = db.get_one(ProviderUser, colleague.id).email
    user, _ = sign_in_provider(live_server.url, email, PASSWORD)
    return colleague, user


def actions(db, entity_id: uuid.UUID) -> list[str]:
    return list(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == str(entity_id)).order_by(AuditEvent.seq)
        )
    )


def invitation_links(db, invitation_id: uuid.UUID) -> list[str]:
    notes = db.scalars(
        select(Notification)
        .where(Notification.reference.startswith(f"invitation-{invitation_id}"))
        .order_by(Notification.created_at)
    )
    return [note.personalisation["link"] for note in notes]


def test_an_invitation_shows_every_problem_at_once(live_server: LiveServer, db) -> None:
    _provider, _admin, user = signed_in_admin(live_server, db)
    refused = user.submit(user.get("/provider/team/invite"), "Send invitation", name="", email="bad@")
    assert refused.status_code == 400
    for message in (
        "Enter their full name",
        "Enter an email address in the correct format, like name@example.com",
        "Select what they can do",
    ):
        assert refused.text.count(message) == 2, message  # in the summary and by its field
    assert db.scalar(select(func.count()).select_from(ProviderInvitation)) == 0


def test_an_admin_removes_a_colleague_after_confirming_and_their_sessions_end_at_once(
    live_server: LiveServer, db
) -> None:
    provider, admin, boss = signed_in_admin(live_server, db)
    colleague, their_browser = signed_in_colleague(live_server, db, provider, admin)
    name = db.get_one(ProviderUser, colleague.id).name
    assert path(their_browser.get("/provider/team")) == "/provider/team"

    listing = boss.get("/provider/team")
    assert name in listing.text and f"/provider/team/{colleague.id}/remove" in listing.text
    confirm = boss.get(f"/provider/team/{colleague.id}/remove")
    assert f"Are you sure you want to remove {name}?" in confirm.text
    assert path(their_browser.get("/provider/team")) == "/provider/team"  # nothing yet
    done = boss.submit(confirm, f"Yes, remove {name}")
    assert path(done) == "/provider/team" and f"{name} has been removed from your team" in done.text
    assert f"/provider/team/{colleague.id}/remove" not in done.text

    assert path(their_browser.get("/provider/team")) == "/provider/sign-in"  # signed out, now
    email = db.get_one(ProviderUser, colleague.id).email
    again = User(live_server.url)
    refused = again.submit(again.get("/provider/sign-in"), "Sign in", email=email, password=PASSWORD)
    assert "Enter a correct email address and password" in refused.text
    assert actions(db, colleague.id)[-1] == "provider_user.removed"
    assert boss.get(f"/provider/team/{colleague.id}/remove").status_code == 404  # gone from the team


def test_an_admin_makes_a_colleague_an_admin_and_back(live_server: LiveServer, db) -> None:
    provider, admin, boss = signed_in_admin(live_server, db)
    colleague, their_browser = signed_in_colleague(live_server, db, provider, admin)
    name = db.get_one(ProviderUser, colleague.id).name
    assert their_browser.get("/provider/software").status_code == 403

    page = boss.get(f"/provider/team/{colleague.id}/role")
    assert f"What can {name} do?" in page.text
    done = boss.submit(page, "Save role", role="admin")
    assert f"{name} is now an admin" in done.text
    assert their_browser.get("/provider/software").status_code == 200  # at once, no new sign-in
    back = boss.submit(boss.get(f"/provider/team/{colleague.id}/role"), "Save role", role="staff")
    assert f"{name} is now staff" in back.text
    assert their_browser.get("/provider/software").status_code == 403
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_id == str(colleague.id), AuditEvent.action == "provider_user.role_changed"
        )
    ).all()
    assert [(e.data["from"], e.data["to"]) for e in events] == [("staff", "admin"), ("admin", "staff")]


def test_the_last_admin_cannot_remove_themselves_or_become_staff(live_server: LiveServer, db) -> None:
    provider, admin, boss = signed_in_admin(live_server, db)
    page = boss.get(f"/provider/team/{admin.id}/remove")
    assert "You cannot remove yourself" in page.text and "Make a colleague an admin first" in page.text
    assert "Yes, remove myself" not in page.text
    token = page_csrf(boss.get("/provider/security-code/recovery-codes"))  # one token per session
    posted = boss.http.post(
        f"{live_server.url}/provider/team/{admin.id}/remove", data={"csrf_token": token}, timeout=30
    )
    assert posted.status_code == 400 and "There is a problem" in posted.text
    assert "because you are the only admin" in posted.text

    role = boss.get(f"/provider/team/{admin.id}/role")
    assert "What should you be able to do?" in role.text
    refused = boss.submit(role, "Save role", role="staff")
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert "You cannot make yourself staff because you are the only admin" in refused.text
    assert 'href="#role"' in refused.text  # the summary links to the question
    db.expire_all()
    still = db.get_one(ProviderUser, admin.id)
    assert (still.active, still.role) == (True, ProviderUserRole.ADMIN)
    with pytest.raises(DomainError) as error:
        team.remove_colleague(db, admin, admin.id)
    assert error.value.code == "last_admin"

    # With a second admin, the first may step down, and removing themselves signs them out.
    create_provider_user(db, provider, admin, role="admin")
    page = boss.get(f"/provider/team/{admin.id}/remove")
    assert "Yes, remove myself" in page.text
    out = boss.submit(page, "Yes, remove myself")
    assert path(out) == "/provider" and "You have removed yourself from" in out.text
    assert path(boss.get("/provider/team")) == "/provider/sign-in"


def test_two_admins_cannot_both_step_down(session) -> None:
    provider, admin = create_provider(session)
    other = create_provider_user(session, provider, admin, role="admin")
    team.change_role(session, admin, admin.id, ProviderUserRole.STAFF)
    with pytest.raises(DomainError):
        team.change_role(session, other, other.id, ProviderUserRole.STAFF)
    with pytest.raises(Forbidden):  # staff now: no more team changes
        team.remove_colleague(session, accounts.user_actor(session.get_one(ProviderUser, admin.id)), other.id)


def test_an_admin_sends_an_invitation_again_or_cancels_it(live_server: LiveServer, db) -> None:
    _, admin, boss = signed_in_admin(live_server, db)
    form = boss.get("/provider/team/invite")
    boss.submit(form, "Send invitation", name="Sam Jones", email="sam@acorns.example", role="staff")
    listed = boss.submit(form, "Send invitation", name="Kim Lee", email="kim@acorns.example", role="admin")
    sam, kim = (
        db.scalars(select(ProviderInvitation).where(ProviderInvitation.email == email)).one()
        for email in ("sam@acorns.example", "kim@acorns.example")
    )
    assert "Sam Jones" in listed.text and "Kim Lee" in listed.text

    again = boss.submit(listed, "Send again to Sam Jones")
    assert "We have emailed a new invitation to sam@acorns.example" in again.text
    first, second = invitation_links(db, sam.id)
    visitor = User(live_server.url)
    assert visitor.get(urlsplit(first).path).status_code == 404  # the old link stopped working
    assert visitor.get(urlsplit(second).path).status_code == 200

    cancelled = boss.submit(again, "Cancel invitation to Kim Lee")
    assert "The invitation to kim@acorns.example is cancelled" in cancelled.text
    assert "Kim Lee" not in cancelled.text.split("is cancelled", 1)[1]  # no longer listed
    (kim_link,) = invitation_links(db, kim.id)
    assert visitor.get(urlsplit(kim_link).path).status_code == 404
    assert actions(db, sam.id) == ["provider_user.invited", "provider_user.invitation_resent"]
    assert actions(db, kim.id) == ["provider_user.invited", "provider_user.invitation_cancelled"]
    with pytest.raises(NotFound):
        team.resend_invitation(db, admin, kim.id, link_base="http://test")


def test_staff_can_change_nothing_about_the_team(live_server: LiveServer, db) -> None:
    provider, admin, boss = signed_in_admin(live_server, db)
    colleague, staff = signed_in_colleague(live_server, db, provider, admin)
    boss.submit(
        boss.get("/provider/team/invite"), "Send invitation", name="Sam", email="s@a.example", role="staff"
    )
    invitation = db.scalars(select(ProviderInvitation)).all()[-1]
    listing = staff.get("/provider/team")
    assert (
        listing.status_code == 200 and "Change role" not in listing.text and "Send again" not in listing.text
    )
    token = page_csrf(staff.get("/provider/security-code/recovery-codes"))  # one token per session
    for method, url in (
        ("get", f"/provider/team/{admin.id}/role"),
        ("post", f"/provider/team/{admin.id}/role"),
        ("get", f"/provider/team/{admin.id}/remove"),
        ("post", f"/provider/team/{admin.id}/remove"),
        ("post", f"/provider/team/invitations/{invitation.id}/resend"),
        ("post", f"/provider/team/invitations/{invitation.id}/cancel"),
    ):
        answer = staff.http.request(
            method, live_server.url + url, data={"csrf_token": token, "role": "staff"}
        )
        assert answer.status_code == 403, (method, url)
    db.expire_all()
    assert db.get_one(ProviderUser, admin.id).role is ProviderUserRole.ADMIN
    assert db.get_one(ProviderInvitation, invitation.id).cancelled_at is None
    with pytest.raises(Forbidden):
        team.remove_colleague(db, colleague, admin.id)


def test_another_settings_people_are_not_found(live_server: LiveServer, db) -> None:
    _, _, boss = signed_in_admin(live_server, db)
    other, other_admin = create_provider(db)
    stranger = create_provider_user(db, other, other_admin)
    for url in (f"/provider/team/{stranger.id}/role", f"/provider/team/{stranger.id}/remove"):
        assert boss.get(url).status_code == 404, url


def test_reloading_the_new_secret_page_makes_no_second_client_and_shows_nothing(
    live_server: LiveServer, db
) -> None:
    _, _, boss = signed_in_admin(live_server, db)
    form = boss.get("/provider/software/new")
    posted = boss.http.post(
        f"{live_server.url}/provider/software/new",
        data={
            "csrf_token": page_csrf(form),
            "name": "Nursery Manager",
            "redirect_uris": "https://app.example/cb",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302  # post, redirect, get
    old_cookies = requests.utils.dict_from_cookiejar(boss.http.cookies)
    shown = boss.get(posted.headers["Location"])
    assert "Copy the client secret now" in shown.text and shown.headers["Cache-Control"] == "no-store"
    secret = re.search(r"data-testid='client-secret'>([^<]+)<", shown.text).group(1)
    client = db.scalars(select(ApiClient)).one()
    assert client.client_secret_hash != secret
    assert secret not in " ".join(db.scalars(select(SecretReveal.sealed)))  # the row alone is no use

    reloaded = boss.get(posted.headers["Location"])
    assert "You have already seen this secret" in reloaded.text and secret not in reloaded.text
    location = urljoin(live_server.url, posted.headers["Location"])
    replayed = requests.get(location, cookies=old_cookies, timeout=30)  # an old copy of the cookie
    assert "You have already seen this secret" in replayed.text and secret not in replayed.text
    assert db.scalar(select(func.count()).select_from(ApiClient)) == 1
    assert db.scalar(select(func.count()).select_from(SecretReveal)) == 0
    assert actions(db, client.id) == ["api_client.registered", "api_client.secret_shown"]

    rotated = boss.submit(boss.get("/provider/software"), "Make a new secret for Nursery Manager")
    assert path(rotated) == f"/provider/software/{client.id}/secret"
    new_secret = re.search(r"data-testid='client-secret'>([^<]+)<", rotated.text).group(1)
    assert new_secret != secret
    assert "You have already seen this secret" in boss.get(rotated.url).text
