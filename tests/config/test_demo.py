"""``flask demo seed``: every person and every resting state, through the service layer."""

from __future__ import annotations

import hashlib
import json

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimants.models import Consent, Parent
from claims.models import DevClaim
from config.audit import verify_chain
from invoicing.models import Invoice, PaymentBatch
from providers import accounts
from providers.models import ApiClient, Provider
from staff.models import StaffUser


def seed_json(app: Flask) -> dict:
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_seed_fills_an_empty_database_with_every_resting_state(app: Flask, session: Session) -> None:
    seed_json(app)
    invoice_states = set(session.scalars(select(Invoice.status).distinct()))
    assert invoice_states == {
        "awaiting_confirmation",
        "confirmed",
        "disputed",
        "approved",
        "on_hold",
        "rejected",
        "batched",
        "paid",
        "cancelled",
        "payment_failed",
    }
    assert set(session.scalars(select(Consent.status).distinct())) == {
        "awaiting_authorisation",
        "authorised",
        "rejected",
        "revoked",
        "expired",
    }
    assert set(session.scalars(select(PaymentBatch.status).distinct())) == {
        "awaiting_approval",
        "partially_failed",
    }
    roles = {role for roles in session.scalars(select(StaffUser.roles)) for role in roles}
    assert roles == {"caseworker", "finance_officer", "approver", "auditor"}
    assert {p.status for p in session.scalars(select(Provider))} == {"active", "pending_verification"}
    assert verify_chain(session).ok


def test_seed_has_a_claim_in_each_situation_and_what_each_changes(app: Flask, session: Session) -> None:
    """Working; joint (the partner joined); the work condition not met; the award cut by earnings
    below the element; the claim ended mid-period: each with the invoice its facts decide."""
    seed_json(app)
    claims = {claim.reference[-3:]: claim for claim in session.scalars(select(DevClaim))}
    assert len(claims) == 7
    assert claims["DEW"].joint and not claims["FAY"].work_condition_met
    assert claims["GIT"].childcare_element_pence == 15_000 and claims["HUW"].ended_on is not None
    by_parent: dict[str, list[Invoice]] = {}
    for name, invoice in session.execute(
        select(Parent.name, Invoice).join(Parent, Parent.id == Invoice.parent_id)
    ):
        by_parent.setdefault(name, []).append(invoice)
    [faye] = by_parent["Faye Green"]
    assert faye.status == "on_hold" and "work_condition_not_met" in faye.flags
    [huw] = by_parent["Huw Price"]
    assert huw.status == "on_hold" and "claim_not_live" in huw.flags
    [gita] = by_parent["Gita Patel"]
    assert (gita.status, gita.dwp_pence, gita.award_limited) == ("batched", 15_000, True)
    [dewi] = by_parent["Dewi Evans"]
    assert dewi.status == "awaiting_confirmation"
    partner = session.scalars(select(Parent).where(Parent.name == "Efa Evans")).one()
    assert partner.partner_of_id == dewi.parent_id


def test_seed_json_prints_what_a_tester_needs_and_keeps_the_secret_hashed(
    app: Flask, session: Session
) -> None:
    data = seed_json(app)
    assert set(data) == {"api_client", "parents", "staff", "providers"}
    assert set(data["api_client"]) == {"client_id", "client_secret", "provider_id", "redirect_uri"}
    assert all(set(p) == {"login", "name"} for p in data["parents"]) and len(data["parents"]) == 8
    assert {s["role"] for s in data["staff"]} == {"caseworker", "finance_officer", "approver", "auditor"}
    assert all(set(p) == {"login", "name", "password", "totp_secret"} for p in data["providers"])
    first = data["providers"][0]
    signed_in = accounts.check_password(session, first["login"], first["password"])  # a login that works
    assert signed_in.totp_secret == first["totp_secret"]  # and an admin with a second factor set up
    client = session.scalars(
        select(ApiClient).where(ApiClient.client_id == data["api_client"]["client_id"])
    ).one()
    assert (
        client.client_secret_hash == hashlib.sha256(data["api_client"]["client_secret"].encode()).hexdigest()
    )
    assert str(client.provider_id) == data["api_client"]["provider_id"]


def test_seed_refuses_a_database_that_has_data_unless_forced(app: Flask, session: Session) -> None:
    seed_json(app)
    before = session.scalar(select(func.count()).select_from(Invoice))
    refused = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert refused.exit_code != 0 and "already has data" in refused.output
    assert session.scalar(select(func.count()).select_from(Invoice)) == before
    forced = app.test_cli_runner().invoke(args=["demo", "seed", "--force"])
    assert forced.exit_code == 0, forced.output
    assert session.scalar(select(func.count()).select_from(Invoice)) > before
    assert verify_chain(session).ok
    # The second set is named apart, so nobody picks the wrong "Little Acorns Nursery".
    for names in (select(Provider.name), select(StaffUser.name)):
        listed = list(session.scalars(names))
        assert len(listed) == len(set(listed)), listed


def test_demo_providers_are_not_paid_into_dwps_own_account(app: Flask, session: Session) -> None:
    seed_json(app)
    settings = app.config["SETTINGS"]
    dwp = (settings.bacs_sort_code, settings.bacs_account_number)
    destinations = [
        (p.current_payee.sort_code, p.current_payee.account_number)
        for p in session.scalars(select(Provider))
        if p.current_payee is not None and p.current_payee.sort_code
    ]
    assert destinations and dwp not in destinations
    assert len(destinations) == len(set(destinations))
