"""Signed checkpoints of the audit chain, outside the database (issue #18 item 10).

Someone with the database can rewrite an event and recompute every hash after it, or delete the
last events: the chain alone then verifies. Checked against the Ed25519-signed checkpoints the
scheduler wrote to a directory of their own, both are reported and ``flask audit verify
--checkpoints DIR`` exits non-zero.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from config import audit_checkpoints as checkpoints
from config import settings as settings_module
from config.audit import AuditEvent, chain_hash, verify_chain
from config.scheduler import run_job
from config.settings import Settings
from tests.config.test_audit import run_life_cycle
from tests.conftest import ON_POSTGRES


@pytest.fixture
def signing(tmp_path: Path, settings: Settings) -> tuple[Settings, Path, Path]:
    """Settings with a key of this test's own and a checkpoint directory outside the database;
    the public key written apart, as an auditor would hold it."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    directory = tmp_path / "checkpoints"
    public = tmp_path / "audit-public.pem"
    public.write_bytes(checkpoints.public_key_pem(key))
    signed = replace(settings, audit_signing_key=pem, audit_checkpoint_dir=str(directory))
    settings_module.use(signed)
    return signed, directory, public


def rewrite_from(session: Session, seq: int, label: str) -> None:
    """Change event ``seq`` and recompute every hash from it on, as a careful forger would."""
    if ON_POSTGRES:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
    events = session.scalars(select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)).all()
    prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq - 1))
    for event in events:
        content = event.content() | ({"actor_label": label} if event.seq == seq else {})
        new = chain_hash(prev, content)
        session.execute(
            text(
                "UPDATE audit_events SET actor_label = :label, prev_hash = :prev, hash = :hash"
                " WHERE seq = :seq"
            ),
            {"label": content["actor_label"], "prev": prev, "hash": new, "seq": event.seq},
        )
        prev = new
    session.commit()


def delete_tail(session: Session, count: int) -> None:
    if ON_POSTGRES:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
    last = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    session.execute(text("DELETE FROM audit_events WHERE seq > :keep"), {"keep": last - count})
    session.commit()


def test_the_scheduler_job_signs_the_head_into_the_directory_only_when_it_moved(
    app: Flask, session: Session, signing
) -> None:
    _signed, directory, public = signing
    run_life_cycle(session)
    factory = app.extensions["database"].session_factory
    first = run_job(factory, "checkpoint-audit-chain")
    assert first.outcome == "succeeded" and first.counts["checkpoints"] == 1
    (file,) = directory.glob("checkpoint-*.json")
    body = json.loads(file.read_text())
    head = session.execute(
        select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    ).one()
    assert (body["seq"], body["hash"]) == (head.seq, head.hash) and body["signature"]
    assert run_job(factory, "checkpoint-audit-chain").counts["checkpoints"] == 0  # nothing new
    run_life_cycle(session)
    assert run_job(factory, "checkpoint-audit-chain").counts["checkpoints"] == 1
    loaded = checkpoints.load_checkpoints(directory, checkpoints.load_public_key(public.read_bytes()))
    assert len(loaded.valid) == 2 and loaded.problems == []


def test_a_re_hashed_chain_verifies_alone_but_not_against_the_checkpoints(
    app: Flask, session: Session, signing
) -> None:
    signed, directory, public = signing
    run_life_cycle(session)
    checkpoints.make_checkpoint(session, checkpoints.signing_key(signed), directory)
    rewrite_from(session, 3, "forged")
    assert verify_chain(session).ok  # the forger recomputed every hash: the chain alone is fooled
    runner = app.test_cli_runner()
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0
    checked = runner.invoke(
        args=["audit", "verify", "--checkpoints", str(directory), "--public-key", str(public)]
    )
    assert checked.exit_code == 1
    assert "re-hashed chain: event" in checked.output and "rewritten at or before" in checked.output


def test_a_missing_tail_is_reported_against_the_checkpoints(app: Flask, session: Session, signing) -> None:
    signed, directory, public = signing
    run_life_cycle(session)
    made = checkpoints.make_checkpoint(session, checkpoints.signing_key(signed), directory)
    delete_tail(session, 3)
    assert verify_chain(session).ok  # nothing in the chain itself says its end is gone
    result = app.test_cli_runner().invoke(
        args=["audit", "verify", "--checkpoints", str(directory), "--public-key", str(public)]
    )
    assert result.exit_code == 1
    assert "missing tail: the checkpoint signed" in result.output
    assert f"events {made.seq - 2} to {made.seq} were deleted" in result.output


def test_an_intact_chain_matches_its_checkpoints_and_a_forged_checkpoint_is_refused(
    app: Flask, session: Session, signing
) -> None:
    signed, directory, public = signing
    run_life_cycle(session)
    checkpoints.make_checkpoint(session, checkpoints.signing_key(signed), directory)
    runner = app.test_cli_runner()
    args = ["audit", "verify", "--checkpoints", str(directory), "--public-key", str(public)]
    ok = runner.invoke(args=args)
    assert ok.exit_code == 0 and "matches 1 signed checkpoints" in ok.output
    (file,) = directory.glob("checkpoint-*.json")
    body = json.loads(file.read_text())
    (directory / "checkpoint-999999999999-forged.json").write_text(
        json.dumps({**body, "seq": body["seq"] - 1})
    )
    forged = runner.invoke(args=args)
    assert forged.exit_code == 1 and "its signature does not hold" in forged.output
    other = Ed25519PrivateKey.generate()
    wrong_key = directory.parent / "someone-else.pem"
    wrong_key.write_bytes(checkpoints.public_key_pem(other))
    (directory / "checkpoint-999999999999-forged.json").unlink()
    assert runner.invoke(args=[*args[:-1], str(wrong_key)]).exit_code == 1  # not our key: nothing holds


def test_an_empty_checkpoint_directory_is_not_a_pass(app: Flask, session: Session, signing, tmp_path) -> None:
    _signed, _directory, public = signing
    run_life_cycle(session)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = app.test_cli_runner().invoke(
        args=["audit", "verify", "--checkpoints", str(empty), "--public-key", str(public)]
    )
    assert result.exit_code == 1 and "no signed checkpoints" in result.output


@pytest.mark.parametrize("environment", ["production", "test"])
def test_production_and_tests_need_a_key_and_a_directory(settings: Settings, environment: str) -> None:
    configured = replace(settings, environment=environment, audit_signing_key="", audit_checkpoint_dir="")
    with pytest.raises(checkpoints.CheckpointsUnavailable, match="AUDIT_SIGNING_KEY"):
        checkpoints.signing_key(configured)
    with pytest.raises(checkpoints.CheckpointsUnavailable, match="AUDIT_CHECKPOINT_DIR"):
        checkpoints.checkpoint_dir(configured)


def test_development_keeps_its_key_under_instance(settings: Settings, tmp_path: Path, monkeypatch) -> None:
    key_file = tmp_path / "instance" / "audit_signing_key.pem"
    monkeypatch.setattr(checkpoints, "DEVELOPMENT_KEY", key_file)  # not the checkout's own instance/
    development = replace(settings, environment="development", audit_signing_key="")
    first = checkpoints.signing_key(development)
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = checkpoints.signing_key(development)
    assert checkpoints.key_id(first.public_key()) == checkpoints.key_id(again.public_key())
