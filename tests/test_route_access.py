"""Every page route, tried as every kind of person, over HTTP: nobody gets what is not theirs.

Generated from ``app.url_map``: each route's ids are filled with one provider's and one parent's
records (provider A, parent A), then the route is tried as anonymous, as A's staff and admin, as
another provider's admin, as parent A and another parent, and as each DWP role. Whoever may use
it must get the page; anyone else must get 401/403/404 or be sent to sign in, for GET and POST
alike (a POST carries the person's own valid CSRF token, so only the access check stands in the
way). The API has its own tests per token and scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from config.auth import StaffRole
from invoicing import service
from invoicing.models import Payment, ReconciliationBreak
from invoicing.service import bacs_returns, reconciliation, uploads
from invoicing.service import drafts as draft_service
from providers import accounts
from providers import service as providers_service
from providers.models import ProviderUser, ProviderUserRole, WebhookDelivery
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    World,
    create_provider_user,
    create_staff,
    give_password,
    send_by_bacs,
)
from tests.http import User, forms, sign_in_parent, sign_in_provider, sign_in_staff
from tests.test_route_checks import PUBLIC, PUBLIC_PREFIXES


@dataclass
class Persona:
    name: str
    user: User
    kind: str  # anonymous, provider, parent, staff
    owner: bool = False  # provider A or parent A
    admin: bool = False
    role: StaffRole | None = None
    token: str = ""


def _token(user: User, page: str) -> str:
    answer = user.get(page)
    return next((f.fields["csrf_token"] for f in forms(answer) if "csrf_token" in f.fields), "")


@pytest.fixture
def setting(live_server: LiveServer, db, monkeypatch) -> tuple[dict[str, str], list[Persona]]:
    a, b = World(db), World(db)
    invoice = a.approved_invoice()
    batch = a.approved_batch()
    made = send_by_bacs(db, a.approver, batch.id)
    payment = db.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    monkeypatch.setattr(bacs_returns, "today_in_london", lambda: made.processing_day)
    returned = f"{payment.reference},{payment.amount_pence},{payment.destination_sort_code}"
    returns = bacs_returns.import_bacs_returns(
        db, a.officer, f"{returned},{payment.destination_account_number},closed"
    )
    reconciliation.open_break(db, payment.id, "amount_pence", {"amount_pence": 1}, {"amount_pence": 2})
    client, _ = providers_service.register_api_client(
        db, a.provider_user, name="Soft", redirect_uris=[], webhook_url="https://hooks.example/x"
    )
    service.record_payment_paid(db, a.officer, payment.id)  # → a payment.paid webhook delivery
    delivery = db.scalars(select(WebhookDelivery)).first()
    upload = uploads.check_upload(db, a.provider_user, "f.csv", _csv(a))
    colleague = create_provider_user(db, a.provider, a.provider_user)  # A's team pages name them
    invitation = accounts.invite_colleague(
        db,
        a.provider_user,
        email="invited@a.example",
        name="Invited",
        role=ProviderUserRole.STAFF,
        link_base="x",
    )
    draft = draft_service.save_draft(db, a.provider_user, {"invoice_number": ["D-1"]})
    ids = {
        "draft_id": str(draft.id),
        "invoice_id": str(invoice.id),
        "payment_id": str(payment.id),
        "batch_id": str(batch.id),
        "consent_id": str(a.consent.id),
        "provider_id": str(a.provider.id),
        "client_id": str(client.id),
        "delivery_id": str(delivery.id),
        "upload_id": str(upload.id),
        "user_id": str(colleague.id),
        "invitation_id": str(invitation.id),
        "import_id": str(returns.id),
        "break_id": str(db.scalars(select(ReconciliationBreak.id)).one()),
        "date_start": invoice.ap_start.isoformat(),
        "kind": "payments",
    }
    url = live_server.url
    people = [Persona("anonymous", User(url), "anonymous")]
    secret_a = give_password(db, a.provider_user, second_factor=True)
    people.append(
        Persona(
            "admin A",
            sign_in_provider(url, a.provider.users[0].email, PASSWORD, secret_a)[0],
            "provider",
            owner=True,
            admin=True,
        )
    )
    staff_a = create_provider_user(db, a.provider, a.provider_user)
    people.append(
        Persona(
            "staff A",
            sign_in_provider(url, db.get_one(ProviderUser, staff_a.id).email, PASSWORD)[0],
            "provider",
            owner=True,
        )
    )
    secret_b = give_password(db, b.provider_user, second_factor=True)
    people.append(
        Persona(
            "admin B",
            sign_in_provider(url, b.provider.users[0].email, PASSWORD, secret_b)[0],
            "provider",
            admin=True,
        )
    )
    people.append(Persona("parent A", sign_in_parent(url, a.parent.label)[0], "parent", owner=True))
    people.append(Persona("parent B", sign_in_parent(url, b.parent.label)[0], "parent"))
    for role in StaffRole:
        name = f"Only {role.value.replace('_', ' ')}"
        create_staff(db, role, name=name)
        people.append(Persona(name, sign_in_staff(url, name)[0], "staff", role=role))
    for person in people:
        person.token = _token(person.user, "/provider/sign-in")  # any page with a form: the session's token
    return ids, people


def _csv(world: World) -> bytes:
    child = world.child
    return (
        "invoice_number,child_first_name,child_last_name,child_date_of_birth,issued_on,care_from,care_to,"
        "description,hours,amount,eligible\n"
        f"U-1,{child.first_name},{child.last_name},{child.date_of_birth:%d/%m/%Y},01/10/2026,01/10/2026,"
        "07/10/2026,Week,10,100,yes\n"
    ).encode()


def _area(endpoint: str) -> str | None:
    if endpoint.startswith(
        ("invoicing_finance.", "providers_finance.", "staff_finance.", "staff_audit.", "claimants_finance.")
    ):
        return "staff"
    if endpoint.startswith(("providers_nursery.", "invoicing_nursery.", "claimants_nursery.")):
        return "provider"
    if endpoint.startswith(("claimants_parent.", "invoicing_parent.")):
        return "parent"
    return None


def _may(person: Persona, view: Any, area: str, has_ids: bool) -> bool:
    if person.kind != area:
        return False
    if area == "staff":
        roles = getattr(view, "required_roles", ())
        return not roles or person.role in roles
    if area == "provider" and getattr(view, "required_provider_role", "") == "admin" and not person.admin:
        return False
    return person.owner or not has_ids


def _refused(answer) -> bool:
    location = answer.headers.get("Location", "")
    return answer.status_code in (401, 403, 404) or (
        answer.status_code in (302, 303) and "sign-in" in location
    )


def test_every_page_route_as_every_person(live_server: LiveServer, setting) -> None:
    ids, people = setting
    app = live_server.app
    checked = 0
    problems = []
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        area = _area(endpoint)
        if area is None or endpoint in PUBLIC or endpoint.startswith(PUBLIC_PREFIXES):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: ids[m.group(1)], rule.rule)
        view = app.view_functions[endpoint]
        for person in people:
            owned = any(argument.endswith("_id") for argument in rule.arguments)  # a date is nobody's
            allowed = _may(person, view, area, owned)
            if "GET" in rule.methods:
                answer = person.user.http.get(f"{live_server.url}{path}", allow_redirects=False, timeout=30)
                checked += 1
                if allowed and _refused(answer):  # a page, or on to the next step
                    problems.append(f"{person.name} could not GET {path}: {answer.status_code}")
                if not allowed and not _refused(answer):
                    problems.append(f"{person.name} got GET {path}: {answer.status_code}")
            if "POST" in rule.methods and not allowed:
                answer = person.user.http.post(
                    f"{live_server.url}{path}",
                    data={"csrf_token": person.token},
                    allow_redirects=False,
                    timeout=30,
                )
                checked += 1
                if not _refused(answer):
                    problems.append(f"{person.name} got POST {path}: {answer.status_code}")
    assert problems == [], "\n".join(problems)
    assert checked > 300
