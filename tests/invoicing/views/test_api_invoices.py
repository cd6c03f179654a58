"""API v1 invoices over real HTTP, with a provider token from the authorization server."""

from __future__ import annotations

import uuid

import pytest
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import select

from claimants import service as claimants
from invoicing.models import Invoice
from invoicing.service import today_in_london
from tests.conftest import LiveServer
from tests.factories import create_child, create_consent, create_parent, previous_month, provider_admin


def token_session(
    live_server: LiveServer, software, scope: str = "invoices:read invoices:write"
) -> OAuth2Session:
    _, client_id, secret, _ = software
    session = OAuth2Session(client_id, secret, scope=scope)
    session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    return session


@pytest.fixture
def consent(db, software):
    provider = software[0]
    parent = create_parent(db)
    return create_consent(db, provider_admin(provider), parent, create_child(db, parent, first_name="Zara"))


def body(consent, number: str = "INV-1001", amount: int = 95_000) -> dict:
    start, end = previous_month()
    return {
        "consent_id": str(consent.id),
        "invoice_number": number,
        "issued_on": today_in_london().isoformat(),
        "care_from": start.isoformat(),
        "care_to": end.isoformat(),
        "lines": [
            {"description": "Full days", "hours": "120.0", "amount_pence": amount, "eligible": True},
            {"description": "Meals", "amount_pence": 4000, "eligible": False},
        ],
    }


def test_an_invoice_is_created_once_per_idempotency_key(live_server: LiveServer, software, consent) -> None:
    api = token_session(live_server, software)
    url = f"{live_server.url}/api/v1/invoices"
    created = api.post(url, json=body(consent), headers={"Idempotency-Key": "k-1"})
    assert created.status_code == 201, created.text
    invoice = created.json()
    assert set(invoice) == {
        "id",
        "provider_id",
        "consent_id",
        "child_id",
        "invoice_number",
        "status",
        "issued_on",
        "care_from",
        "care_to",
        "total_pence",
        "eligible_pence",
        "dwp_pence",
        "claimant_pence",
        "assessment_period",
        "flags",
        "lines",
        "created_at",
    }
    assert (
        invoice["total_pence"],
        invoice["eligible_pence"],
        invoice["dwp_pence"],
        invoice["claimant_pence"],
    ) == (
        99_000,
        95_000,
        80_750,
        18_250,
    )
    assert invoice["status"] == "awaiting_confirmation" and invoice["lines"][0]["hours"] == "120.00"
    replay = api.post(url, json=body(consent), headers={"Idempotency-Key": "k-1"})
    assert replay.status_code == 200 and replay.json()["id"] == invoice["id"]
    other = api.post(url, json=body(consent, number="INV-1002"), headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    missing = api.post(url, json=body(consent, number="INV-1003"))
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "Idempotency-Key"
    listed = api.get(url).json()["data"]
    assert [i["id"] for i in listed] == [invoice["id"]]


def test_bad_input_names_the_field_and_rule_breaks_answer_422(
    live_server: LiveServer, db, software, consent
) -> None:
    api = token_session(live_server, software)
    url = f"{live_server.url}/api/v1/invoices"
    bad = body(consent)
    bad["lines"][0]["amount_pence"] = -5
    bad["lines"][1]["amount_pence"] = "40.00"
    answer = api.post(url, json=bad, headers={"Idempotency-Key": "k-bad"})
    assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/problem+json"
    assert {e["field"] for e in answer.json()["errors"]} == {"lines[0].amount_pence", "lines[1].amount_pence"}
    assert api.post(url, json=body(consent), headers={"Idempotency-Key": "k-2"}).status_code == 201
    duplicate = api.post(url, json=body(consent), headers={"Idempotency-Key": "k-3"})
    assert duplicate.status_code == 422 and duplicate.json()["code"] == "duplicate_invoice_number"
    parent = claimants.parent_actor(claimants.repository.get_parent(db, consent.parent_id))
    claimants.revoke_consent(db, parent, consent.id)
    revoked = api.post(url, json=body(consent, number="INV-9"), headers={"Idempotency-Key": "k-4"})
    assert revoked.status_code == 422 and revoked.json()["code"] == "consent_not_authorised"


def test_another_providers_invoices_and_consents_are_not_found(
    live_server: LiveServer, db, software, consent
) -> None:
    from tests.factories import World

    other = World(db)
    theirs = other.submit()
    api = token_session(live_server, software)
    for path in (f"/api/v1/invoices/{theirs.id}", f"/api/v1/invoices/{theirs.id}/events"):
        assert api.get(live_server.url + path).status_code == 404
    assert api.post(f"{live_server.url}/api/v1/invoices/{theirs.id}/cancel", json={}).status_code == 404
    stolen = body(other.consent, number="INV-X")
    answer = api.post(f"{live_server.url}/api/v1/invoices", json=stolen, headers={"Idempotency-Key": "k-x"})
    assert answer.status_code == 404
    assert api.get(f"{live_server.url}/api/v1/invoices/{uuid.uuid4()}").status_code == 404


def test_timeline_and_cancel(live_server: LiveServer, software, consent) -> None:
    api = token_session(live_server, software)
    invoice = api.post(
        f"{live_server.url}/api/v1/invoices", json=body(consent), headers={"Idempotency-Key": "k-t"}
    ).json()
    cancelled = api.post(
        f"{live_server.url}/api/v1/invoices/{invoice['id']}/cancel", json={"reason": "Sent in error"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    events = api.get(f"{live_server.url}/api/v1/invoices/{invoice['id']}/events").json()["data"]
    assert [e["type"] for e in events] == [
        "invoice.submitted",
        "invoice.awaiting_confirmation",
        "invoice.cancelled",
    ]
    again = api.post(f"{live_server.url}/api/v1/invoices/{invoice['id']}/cancel", json={})
    assert again.status_code == 409 and again.json()["code"] == "invalid_state_transition"
    read_only = token_session(live_server, software, scope="invoices:read")
    refused = read_only.post(
        f"{live_server.url}/api/v1/invoices", json=body(consent, "INV-R"), headers={"Idempotency-Key": "k-r"}
    )
    assert refused.status_code == 403


def test_from_token_to_paid_remittance(live_server: LiveServer, db, software, consent) -> None:
    from config.auth import SYSTEM, StaffRole
    from invoicing import service
    from tests.factories import create_staff

    api = token_session(live_server, software, scope="invoices:read invoices:write payments:read")
    created = api.post(
        f"{live_server.url}/api/v1/invoices", json=body(consent), headers={"Idempotency-Key": "k-p"}
    )
    invoice_id = uuid.UUID(created.json()["id"])
    parent = claimants.parent_actor(claimants.repository.get_parent(db, consent.parent_id))
    service.confirm_invoice(db, parent, invoice_id)
    service.run_automatic_checks(db, SYSTEM)
    officer, approver = create_staff(db, StaffRole.FINANCE_OFFICER), create_staff(db, StaffRole.APPROVER)
    batch = service.build_batch(db, officer)
    service.request_batch_approval(db, officer, batch.id)
    service.approve_batch(db, approver, batch.id)
    service.submit_batch(db, officer, batch.id)
    payment_id = batch.payments[0].id
    service.record_payment_sent(db, SYSTEM, payment_id, "tr_1")
    service.record_payment_paid(db, SYSTEM, payment_id)

    page = api.get(f"{live_server.url}/api/v1/payments").json()
    assert [p["id"] for p in page["data"]] == [str(payment_id)] and page["next_cursor"] is None
    payment = api.get(f"{live_server.url}/api/v1/payments/{payment_id}").json()
    assert set(payment) == {
        "id",
        "batch_id",
        "amount_pence",
        "status",
        "rail",
        "reference",
        "sent_at",
        "paid_at",
        "credit_pence",
        "allocations",
    }
    assert (payment["status"], payment["amount_pence"], payment["rail"]) == ("paid", 80_750, "bacs")
    assert payment["allocations"] == [
        {"invoice_id": str(invoice_id), "invoice_number": "INV-1001", "amount_pence": 80_750}
    ]
    assert api.get(f"{live_server.url}/api/v1/invoices/{invoice_id}").json()["status"] == "paid"
    no_scope = token_session(live_server, software, scope="invoices:read")
    assert no_scope.get(f"{live_server.url}/api/v1/payments").status_code == 403


def test_the_same_request_sent_twice_at_once_makes_one_invoice(
    live_server: LiveServer, db, software, consent
) -> None:
    import threading

    from sqlalchemy import func, select

    from invoicing.models import Invoice

    sessions = [token_session(live_server, software) for _ in range(4)]
    request_body = body(consent)  # built once: the test's database session is not for threads
    barrier = threading.Barrier(len(sessions))
    answers: list[int] = []

    def send(api: OAuth2Session) -> None:
        barrier.wait()
        answer = api.post(
            f"{live_server.url}/api/v1/invoices", json=request_body, headers={"Idempotency-Key": "k-race"}
        )
        answers.append(answer.status_code)

    threads = [threading.Thread(target=send, args=(api,)) for api in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(answers)[-1] == 201 and answers.count(201) == 1, answers
    assert set(answers) <= {200, 201, 409}, answers
    assert db.scalar(select(func.count()).select_from(Invoice)) == 1


def test_hours_are_a_decimal_string_with_bounds_and_documented_as_a_string(
    live_server: LiveServer, software, consent
) -> None:
    api = token_session(live_server, software)
    too_many = body(consent)
    too_many["lines"][0]["hours"] = "2401"
    answer = api.post(f"{live_server.url}/api/v1/invoices", json=too_many, headers={"Idempotency-Key": "k-h"})
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "lines[0].hours"
    document = api.get(f"{live_server.url}/api/v1/openapi.json").json()
    line = next(s for name, s in document["components"]["schemas"].items() if name.startswith("LineIn"))
    assert line["properties"]["hours"]["type"] == "string"
    assert "maximum" not in line["properties"]["hours"] and "minimum" not in line["properties"]["hours"]
    empty_cursor = api.get(f"{live_server.url}/api/v1/invoices", params={"cursor": ""})
    assert empty_cursor.status_code == 400


def test_the_api_never_tells_nursery_software_the_parents_claim_facts(
    live_server: LiveServer, software, consent, db
) -> None:
    from claimants.models import Parent
    from claims.models import DevClaim

    parent = db.get_one(Parent, consent.parent_id)
    db.add(
        DevClaim(
            reference=parent.uc_claim_reference,
            claim_start_date=parent.claim_start_date,
            work_condition_met=False,
            earnings_pence=0,
        )
    )
    db.commit()
    api = token_session(live_server, software)
    created = api.post(
        f"{live_server.url}/api/v1/invoices", json=body(consent), headers={"Idempotency-Key": "k-9"}
    )
    assert created.status_code == 201, created.text
    stored = db.scalars(select(Invoice).where(Invoice.id == uuid.UUID(created.json()["id"]))).one()
    assert "work_condition_not_met" in stored.flags  # held for the parent's own reason…
    for answer in (created.json(), api.get(f"{live_server.url}/api/v1/invoices/{stored.id}").json()):
        assert "work_condition_not_met" not in answer["flags"]  # …which the nursery never reads
