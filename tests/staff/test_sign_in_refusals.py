"""Staff are their identity provider's subject, and one account never builds and approves batches.

Over real HTTP through the development identity provider: a new subject carrying an existing
account's email address is refused (not given that account), as is anyone whose claims hold both
the finance officer's and the approver's role; each refusal is explained on GOV.UK's "we could
not sign you in" page and kept in the audit log although the sign-in rolls back.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.audit import AuditEvent, verify_chain
from config.auth import SYSTEM, Actor, ActorKind, StaffRole
from config.errors import Forbidden
from staff.models import StaffUser
from staff.service import sign_in_staff
from tests.conftest import LiveServer
from tests.factories import create_staff
from tests.http import User
from tests.http import sign_in_staff as sign_in_staff_over_http

PROBLEM = "There is a problem: we could not sign you in"


def refusals(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "staff.sign_in_refused")))


def test_a_new_subject_with_an_existing_staff_email_does_not_get_that_account(
    live_server: LiveServer, db
) -> None:
    officer = create_staff(db, StaffRole.FINANCE_OFFICER, name="Femi Finance")
    email = db.get_one(StaffUser, officer.id).email
    user = User(live_server.url)
    page = user.submit(
        user.get("/finance/sign-in"), "Sign in", name="Not Femi", email=email, roles="approver"
    )
    assert page.status_code == 403 and PROBLEM in page.text
    assert "already uses this email address with a different sign-in" in page.text
    assert user.get("/finance/home", allow_redirects=False).status_code == 302  # not signed in
    db.expire_all()
    (stored,) = db.scalars(select(StaffUser)).all()
    assert (stored.id, stored.roles, stored.oidc_subject) == (
        officer.id,
        ["finance_officer"],
        "staff-sub-" + email[5:].split("@")[0],
    )
    (refusal,) = refusals(db)
    assert refusal.entity_id == str(officer.id)
    assert refusal.data["reason"] == "email_held_by_another_sign_in" and refusal.data["roles"] == ["approver"]
    assert verify_chain(db).ok


def test_claims_with_both_the_finance_officer_and_the_approver_role_are_refused_and_recorded(
    live_server: LiveServer, db
) -> None:
    user = User(live_server.url)
    page = user.submit(
        user.get("/finance/sign-in"),
        "Sign in",
        name="Bea Both",
        email="bea@dwp.example",
        roles=["finance_officer", "approver"],  # type: ignore[arg-type]
    )
    assert page.status_code == 403 and PROBLEM in page.text
    assert "Ask your manager to remove one of them" in page.text
    assert urlsplit(page.url).path == "/finance/sign-in/callback"
    assert user.get("/finance/home", allow_redirects=False).status_code == 302
    assert db.scalars(select(StaffUser)).all() == []  # no account was made
    (refusal,) = refusals(db)
    assert refusal.data["reason"] == "finance_officer_and_approver"
    assert refusal.data["roles"] == ["approver", "finance_officer"]
    assert refusal.entity_type == "staff_sign_in"


def test_an_existing_officer_given_the_approver_role_too_is_refused_and_keeps_their_roles(session) -> None:
    officer = create_staff(session, StaffRole.FINANCE_OFFICER)
    stored = session.get_one(StaffUser, officer.id)
    with pytest.raises(Forbidden, match="remove one of them"):
        sign_in_staff(
            session,
            subject=stored.oidc_subject,
            email=stored.email,
            name=stored.name,
            roles=["finance_officer", "approver"],
        )
    session.expire_all()
    assert session.get_one(StaffUser, officer.id).roles == ["finance_officer"]
    (refusal,) = refusals(session)
    assert refusal.entity_id == str(officer.id) and refusal.actor_id == str(officer.id)
    assert session.scalars(select(AuditEvent.action)).all() == ["staff.sign_in_refused"]


def test_the_same_subject_signs_in_again_whatever_email_it_now_carries(session) -> None:
    officer = create_staff(session, StaffRole.CASEWORKER)
    stored = session.get_one(StaffUser, officer.id)
    again = sign_in_staff(
        session, subject=stored.oidc_subject, email=stored.email, name=stored.name, roles=["auditor"]
    )
    assert again.id == officer.id and again.roles == ["auditor"]
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions == ["staff.roles_changed", "staff.signed_in"]


@pytest.mark.parametrize("roles", [{StaffRole.FINANCE_OFFICER, StaffRole.APPROVER}, set(StaffRole)])
def test_require_role_refuses_any_actor_holding_both_roles(roles: set[StaffRole]) -> None:
    both = Actor(kind=ActorKind.STAFF, id=None, label="Both", roles=frozenset(roles))
    for asked in StaffRole:
        with pytest.raises(Forbidden, match="cannot be both a finance officer and an approver"):
            both.require_role(asked)
    one = Actor(kind=ActorKind.STAFF, id=None, label="One", roles=frozenset({StaffRole.APPROVER}))
    one.require_role(StaffRole.APPROVER)  # a single role still works
    with pytest.raises(Forbidden, match="Only a DWP finance officer"):
        one.require_role(StaffRole.FINANCE_OFFICER)
    SYSTEM.require_role(StaffRole.APPROVER)


def test_the_database_refuses_an_account_holding_both_roles(session) -> None:
    officer = create_staff(session, StaffRole.FINANCE_OFFICER)
    row = session.get_one(StaffUser, officer.id)
    row.roles = ["finance_officer", "approver"]
    with pytest.raises(IntegrityError, match="not_builder_and_approver"):
        session.commit()
    session.rollback()
    row = session.get_one(StaffUser, officer.id)
    row.roles = ["approver", "auditor"]  # any other pair is allowed
    session.commit()


def test_a_refusal_lists_the_roles_as_a_sentence_does(live_server: LiveServer, db) -> None:
    """ "Only a DWP finance officer, approver or auditor can do this", not "…officer or approver or
    auditor…"."""
    caseworker = Actor(kind=ActorKind.STAFF, id=None, label="Cai", roles=frozenset({StaffRole.CASEWORKER}))
    asked = (
        ((StaffRole.AUDITOR,), "Only a DWP auditor can do this"),
        (
            (StaffRole.FINANCE_OFFICER, StaffRole.APPROVER),
            "Only a DWP finance officer or approver can do this",
        ),
        (
            (StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR),
            "Only a DWP finance officer, approver or auditor can do this",
        ),
    )
    for roles, words in asked:
        with pytest.raises(Forbidden) as refused:
            caseworker.require_role(*roles)
        assert str(refused.value) == words
    create_staff(db, StaffRole.CASEWORKER, name="Cai Caseworker")
    user, _ = sign_in_staff_over_http(live_server.url, "Cai Caseworker")
    page = user.get("/finance/statements")
    assert page.status_code == 403
    assert "Only a DWP finance officer, approver or auditor can do this" in page.text
