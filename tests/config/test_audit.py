"""The audit log: hash-chained, append-only, written in the transaction it records."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from config.audit import AuditEvent, verify_chain
from config.auth import SYSTEM
from invoicing import service
from tests.conftest import ON_POSTGRES
from tests.factories import World


def run_life_cycle(session: Session) -> None:
    world = World(session)
    paid = world.approved_invoice()
    world.submit(hours="999", care_from=paid.care_to, care_to=paid.care_to)
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    service.record_payment_sent(session, SYSTEM, batch.payments[0].id, "tr_1")
    service.record_payment_paid(session, SYSTEM, batch.payments[0].id)


def tamper(session: Session, statement: str, **params: object) -> None:
    """What someone with direct database access could do, getting round the trigger."""
    if ON_POSTGRES:
        session.execute(text("SET LOCAL session_replication_role = replica"))  # triggers off
        session.execute(text(statement), params)
    else:
        session.execute(text("DROP TRIGGER audit_events_no_update"))
        session.execute(text("DROP TRIGGER audit_events_no_delete"))
        session.execute(text(statement), params)
    session.commit()


def test_the_chain_verifies_after_the_whole_life_cycle(session: Session) -> None:
    run_life_cycle(session)
    report = verify_chain(session)
    assert report.ok
    assert report.checked == session.scalar(select(func.count()).select_from(AuditEvent)) > 20
    seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_changed_event_is_reported_as_the_first_broken_link(session: Session) -> None:
    run_life_cycle(session)
    tamper(session, "UPDATE audit_events SET actor_label = 'someone else' WHERE seq = 7")
    report = verify_chain(session)
    assert (report.ok, report.broken_seq, report.reason) == (False, 7, "content does not match its hash")


def test_a_deleted_event_is_reported(session: Session) -> None:
    run_life_cycle(session)
    tamper(session, "DELETE FROM audit_events WHERE seq = 5")
    report = verify_chain(session)
    assert (report.ok, report.broken_seq, report.checked) == (False, 5, 4)


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(session: Session) -> None:
    run_life_cycle(session)
    from config.audit import chain_hash

    event = session.scalars(select(AuditEvent).where(AuditEvent.seq == 3)).one()
    content = event.content() | {"actor_label": "forged"}
    tamper(
        session,
        "UPDATE audit_events SET actor_label = 'forged', hash = :h WHERE seq = 3",
        h=chain_hash(event.prev_hash, content),
    )
    report = verify_chain(session)
    assert (report.broken_seq, report.reason) == (4, "does not link to the event before it")


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"])
def test_the_database_refuses_to_change_or_delete_audit_events(session: Session, statement: str) -> None:
    run_life_cycle(session)
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert verify_chain(session).ok


def test_a_refused_change_writes_no_audit_event(session: Session) -> None:
    world = World(session)
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(Exception, match="cannot become"):
        service.approve_invoice(session, world.caseworker, world.submit().id, "early")
    after = session.scalar(select(func.count()).select_from(AuditEvent))
    assert after == before + 2  # the submission's two events, nothing for the refusal


def test_flask_audit_verify_names_the_first_broken_link_and_exits_non_zero(
    app: Flask, session: Session
) -> None:
    run_life_cycle(session)
    runner = app.test_cli_runner()
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "audit chain intact" in intact.output
    tamper(session, "UPDATE audit_events SET data = '{}' WHERE seq = 9")
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "broken at event 9" in broken.output
