"""A new parent whose email address another parent's account has: refused, explained, never merged."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from claimants import service
from claimants.models import Parent
from config.audit import AuditEvent, verify_chain
from config.errors import DomainError
from tests.conftest import LiveServer
from tests.factories import create_parent
from tests.http import User


def test_a_new_sign_in_with_another_parents_email_is_refused_over_http(live_server: LiveServer, db) -> None:
    existing = create_parent(db)
    email = db.get_one(Parent, existing.parent_id).email
    user = User(live_server.url)
    page = user.submit(user.get("/account/sign-in"), "Sign in", name="Someone Else", email=email.upper())
    assert page.status_code == 400
    assert "There is a problem: we could not sign you in" in page.text
    assert "Another Childcare Direct account already uses this email address" in page.text
    assert user.get("/account/home", allow_redirects=False).status_code == 302  # signed in as nobody
    db.expire_all()
    (stored,) = db.scalars(select(Parent)).all()
    assert (stored.id, stored.oidc_subject) == (existing.parent_id, "sub-" + email[6:].split("@")[0])
    refusal = db.scalars(select(AuditEvent).where(AuditEvent.action == "parent.sign_in_refused")).one()
    assert refusal.entity_id == str(existing.parent_id)
    assert verify_chain(db).ok
    # The account's own holder still signs in with their own subject.
    owner = User(live_server.url)
    home = owner.submit(owner.get("/account/sign-in"), existing.label)
    assert home.status_code == 200 and existing.label in home.text


def test_the_service_refuses_and_records_without_registering_anyone(session) -> None:
    existing = create_parent(session)
    email = session.get_one(Parent, existing.parent_id).email
    with pytest.raises(DomainError) as refused:
        service.sign_in_parent(session, subject="another-subject", email=email, name="Other")
    assert refused.value.code == "email_in_use"
    assert session.scalar(select(func.count()).select_from(Parent)) == 1
    assert session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq.desc())).first() == (
        "parent.sign_in_refused"
    )


def test_registering_a_taken_email_directly_is_a_clear_error_not_a_crash(session) -> None:
    existing = create_parent(session)
    email = session.get_one(Parent, existing.parent_id).email
    with pytest.raises(DomainError) as refused:
        service.register_parent(session, name="Other", email=f"  {email.upper()} ", oidc_subject="s-2")
    assert refused.value.code == "email_in_use"
    with pytest.raises(DomainError) as empty:
        service.sign_in_parent(session, subject="s-3", email="", name="No Email")
    assert empty.value.code == "email_missing"
    assert session.scalar(select(func.count()).select_from(Parent)) == 1
