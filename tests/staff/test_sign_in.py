"""DWP staff sign in with OpenID Connect, through the whole redirect flow over real HTTP, with the
roles the identity provider gives."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from config.auth import StaffRole
from staff.models import StaffUser
from tests.conftest import LiveServer
from tests.factories import create_staff
from tests.http import User


def test_staff_sign_in_with_roles_from_the_identity_provider(live_server: LiveServer, db) -> None:
    officer = create_staff(db, StaffRole.FINANCE_OFFICER, name="Femi Finance")
    user = User(live_server.url)
    page = user.get("/finance/sign-in")
    assert parse_qs(urlsplit(page.url).query)["scope"] == ["openid email profile roles"]
    home = user.submit(page, "Femi Finance")
    assert urlsplit(home.url).path == "/finance/home"
    assert "Finance officer" in home.text and "Batches waiting for approval" in home.text
    # The identity provider's subject found the existing account: no second one was made.
    (stored,) = db.scalars(select(StaffUser)).all()
    assert stored.id == officer.id and stored.roles == ["finance_officer"]


def test_new_staff_get_the_roles_the_provider_gives_and_nobody_gets_in_without_one(
    live_server: LiveServer, db
) -> None:
    user = User(live_server.url)
    page = user.get("/finance/sign-in")
    home = user.submit(page, "Sign in", name="Ada Approver", email="ada@dwp.example", roles="approver")
    assert urlsplit(home.url).path == "/finance/home" and "Approver" in home.text
    stored = db.scalars(select(StaffUser).where(StaffUser.email == "ada@dwp.example")).one()
    assert stored.roles == ["approver"]
    nobody = User(live_server.url)
    refused = nobody.submit(
        nobody.get("/finance/sign-in"), "Sign in", name="No Role", email="none@dwp.example"
    )
    assert refused.status_code == 403
    assert nobody.get("/finance/home", allow_redirects=False).status_code == 302
