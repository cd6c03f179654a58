"""The auditor's page at /finance/audit, over HTTP: the latest signed checkpoint, verification on
demand (which finds a rewritten chain), and exports by date range and entity in CSV and JSON,
every verification and download recorded in the audit log."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from claimants import council_sharing
from claims import development
from config import audit_checkpoints as checkpoints
from config import settings as settings_module
from config.audit import AuditEvent
from config.auth import StaffRole
from config.database import utcnow
from tests.config.test_audit_checkpoints import rewrite_from
from tests.conftest import LiveServer
from tests.factories import World, create_staff
from tests.http import sign_in_staff

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def live_overrides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    pem = KEY.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {"audit_signing_key": pem, "audit_checkpoint_dir": str(_directory(tmp_path_factory))}


_made: dict[str, Path] = {}


def _directory(factory: pytest.TempPathFactory) -> Path:
    """One checkpoint directory for this module's served app (it is built once per process)."""
    if "dir" not in _made:
        _made["dir"] = factory.mktemp("audit-checkpoints")
    return _made["dir"]


def _checkpoint(db) -> checkpoints.Checkpoint:
    current = settings_module.current()
    for stale in checkpoints.checkpoint_dir(current).glob("checkpoint-*.json"):
        stale.unlink()  # the last test's database is gone; so are its checkpoints
    made = checkpoints.make_checkpoint(
        db, checkpoints.signing_key(current), checkpoints.checkpoint_dir(current)
    )
    assert made is not None
    return made


def _auditor(live_server: LiveServer, db):
    create_staff(db, StaffRole.AUDITOR, name="Aud Auditor")
    user, _ = sign_in_staff(live_server.url, "Aud Auditor")
    return user


def test_the_page_shows_the_latest_checkpoint_and_verifies_on_demand(live_server: LiveServer, db) -> None:
    World(db)
    made = _checkpoint(db)
    user = _auditor(live_server, db)
    page = user.get("/finance/audit")
    assert page.status_code == 200 and "Latest signed checkpoint" in page.text
    assert made.hash in page.text and str(made.seq) in page.text
    intact = user.submit(page, "Verify the audit log now")
    assert intact.status_code == 200 and "The audit log is intact" in intact.text
    rewrite_from(db, 2, "forged")
    broken = user.submit(page, "Verify the audit log now")
    assert "The audit log is not as it was signed" in broken.text and "re-hashed chain" in broken.text
    db.expire_all()
    verified = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit_log.verified")).all()
    assert [event.data["ok"] for event in verified] == [True, False]


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_an_export_by_date_range_and_entity_is_downloaded_and_recorded(
    live_server: LiveServer, db, file_format: str
) -> None:
    world = World(db)
    user = _auditor(live_server, db)
    today = utcnow().date()
    day = f"{today.day}", f"{today.month}", f"{today.year}"
    query = {
        "start": list(day),
        "end": list(day),
        "entity_type": "providers",
        "entity_id": str(world.provider.id),
        "format": file_format,
    }
    answer = user.http.get(f"{live_server.url}/finance/audit/export", params=query, timeout=30)
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    else:
        rows = json.loads(answer.text)["events"]
    expected = db.scalars(
        select(AuditEvent.seq)
        .where(AuditEvent.entity_type == "providers", AuditEvent.entity_id == str(world.provider.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert [int(row["seq"]) for row in rows] == expected and len(expected) >= 2
    assert {row["entity_id"] for row in rows} == {str(world.provider.id)}
    db.expire_all()
    recorded = db.scalars(select(AuditEvent).where(AuditEvent.action == "audit_log.exported")).one()
    assert recorded.data["events"] == len(rows) and recorded.data["format"] == file_format
    assert recorded.data["entity_id"] == str(world.provider.id)


def test_a_bad_export_request_is_explained_and_records_nothing(live_server: LiveServer, db) -> None:
    world = World(db)
    development.add_claim(db, reference="UCAUDIT1", claim_start_date=utcnow().date())
    council_sharing.agree_to_share(db, world.parent)
    user = _auditor(live_server, db)
    today = utcnow().date()
    earlier = today - timedelta(days=3)
    base = {"format": "csv", "entity_type": "", "entity_id": ""}
    backwards = {
        **base,
        "start": [str(today.day), str(today.month), str(today.year)],
        "end": [str(earlier.day), str(earlier.month), str(earlier.year)],
    }
    answers = [
        user.http.get(f"{live_server.url}/finance/audit/export", params=backwards, timeout=30),
        user.http.get(
            f"{live_server.url}/finance/audit/export",
            params={**backwards, "end": backwards["start"], "entity_id": "not-an-id"},
            timeout=30,
        ),
        user.http.get(f"{live_server.url}/finance/audit/export", params=base, timeout=30),
    ]
    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert "There is a problem" in answers[0].text
    assert "The end date must be the same as or after the start date" in answers[0].text
    assert "in the correct format" in answers[1].text
    assert "Enter the first day to export" in answers[2].text
    # The kinds of record are offered by name; one the log does not hold is refused in words.
    page = user.get("/finance/audit")
    assert '<option value="providers">Providers</option>' in page.text
    assert '<option value="dev_claims">Development claims</option>' in page.text  # not "Dev claims"
    assert '<option value="council_sharing">Council sharing agreements</option>' in page.text
    assert '<option value="staff_users">Staff accounts</option>' in page.text
    unknown = user.http.get(
        f"{live_server.url}/finance/audit/export",
        params={**backwards, "end": backwards["start"], "entity_type": "pg_authid"},
        timeout=30,
    )
    assert unknown.status_code == 400 and "Select a kind of record from the list" in unknown.text
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "audit_log.exported")).all() == []


def test_only_auditors_reach_the_page_or_its_exports(live_server: LiveServer, db) -> None:
    create_staff(db, StaffRole.CASEWORKER, name="Cai Caseworker")
    user, _ = sign_in_staff(live_server.url, "Cai Caseworker")
    refused_page = user.get("/finance/audit")
    assert refused_page.status_code == 403
    assert '<a class="govuk-link" href="/finance">Go to the start of this part of the service</a>' in (
        refused_page.text
    )
    assert user.http.get(f"{live_server.url}/finance/audit/export?format=json", timeout=30).status_code == 403
    refused = user.http.post(f"{live_server.url}/finance/audit/verify", data={}, timeout=30)
    assert refused.status_code in (400, 403)
    assert db.scalars(select(AuditEvent).where(AuditEvent.action.like("audit_log.%"))).all() == []
