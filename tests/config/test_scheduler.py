"""Scheduled jobs: recorded runs, one lock per job, safe to run twice."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from config import scheduler
from config.database import utcnow
from config.extensions import database
from config.scheduler import Job, JobLock, JobRun, held_lock, run_job
from invoicing.jobs import is_working_day
from invoicing.models import InvoiceStatus, PaymentBatch
from tests.factories import World


def test_flask_jobs_run_runs_a_job_and_records_it(app: Flask, session: Session) -> None:
    world = World(session)
    invoice = world.submit()
    from invoicing import service

    service.confirm_invoice(session, world.parent, invoice.id)
    result = app.test_cli_runner().invoke(args=["jobs", "run", "check-confirmed-invoices"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    run = session.scalars(select(JobRun)).one()
    assert (run.job_name, run.outcome, run.counts) == (
        "check-confirmed-invoices",
        "succeeded",
        {"approved": 1, "on_hold": 0},
    )
    assert run.finished_at is not None and run.finished_at >= run.started_at
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.APPROVED


def test_a_job_whose_lock_is_held_is_skipped_and_recorded(app: Flask, session: Session) -> None:
    engine = database().engine
    with held_lock(engine, "job:expire-consents") as taken:
        assert taken
        with held_lock(engine, "job:expire-consents") as again:
            assert not again
        run = run_job(database().session_factory, "expire-consents")
        assert run.outcome == "skipped"
    assert run_job(database().session_factory, "expire-consents").outcome == "succeeded"


def test_a_run_that_loses_the_race_for_the_lock_is_never_seen_running(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock's holder marks any other run still "running" as interrupted (its process died).
    A run that lost the race must never be one of those, even for a moment: two schedulers at
    once once left a live, skipped run marked interrupted."""
    engine = database().engine
    seen_while_refused: list[int] = []
    real = scheduler.held_lock

    @contextmanager
    def refused(engine_, name, ttl=timedelta(minutes=30)):  # the moment the lock is refused
        with real(engine_, name, ttl) as taken:
            with Session(engine) as look:
                seen_while_refused.append(
                    look.scalar(select(func.count()).select_from(JobRun).where(JobRun.outcome == "running"))
                )
            yield taken

    with held_lock(engine, "job:expire-consents"):
        monkeypatch.setattr(scheduler, "held_lock", refused)
        assert run_job(database().session_factory, "expire-consents").outcome == "skipped"
    assert seen_while_refused == [0]


def test_a_failing_job_is_recorded_with_its_error(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: Session) -> dict[str, int]:
        raise RuntimeError("the rail is down")

    monkeypatch.setattr(
        scheduler, "registry", lambda: {"broken": Job("broken", broken, "interval", {"minutes": 1})}
    )
    run = run_job(database().session_factory, "broken")
    assert run.outcome == "failed" and "the rail is down" in (run.error or "")


def test_building_the_daily_batch_twice_builds_it_once(app: Flask, session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    first = run_job(database().session_factory, "build-daily-batch")
    second = run_job(database().session_factory, "build-daily-batch")
    assert (first.outcome, second.outcome) == ("succeeded", "succeeded")
    assert second.counts == {"batches": 0}
    batches = session.scalar(select(func.count()).select_from(PaymentBatch))
    assert batches == first.counts["batches"] <= 1


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),
        (date(2026, 12, 26), False),  # Saturday
        (date(2026, 12, 28), False),  # Boxing Day substitute
        (date(2026, 8, 31), False),
        (date(2027, 3, 26), False),
        (date(2027, 3, 29), False),
        (date(2027, 3, 30), True),
    ],
)
def test_working_days_in_england_and_wales(day: date, working: bool) -> None:
    assert is_working_day(day) is working


KILLED_RUN = """
import sys, time
from sqlalchemy.orm import sessionmaker
from config import scheduler
from config.database import make_engine

def hang(_session):
    time.sleep(600)  # killed long before this ends
    return {}

scheduler.registry = lambda: {"slow": scheduler.Job("slow", hang, "interval", {"minutes": 1})}
scheduler.run_job(sessionmaker(bind=make_engine(sys.argv[1])), "slow")
"""


def test_a_run_killed_mid_way_is_marked_interrupted_by_the_next_run(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real process is killed with SIGKILL while its job runs; the next run of the job finds it."""
    engine = database().engine
    url = engine.url.render_as_string(hide_password=False)
    process = subprocess.Popen([sys.executable, "-c", KILLED_RUN, url])
    try:
        deadline = time.monotonic() + 60
        # Killed only once the job holds its lock and its run is recorded as running (killing it
        # between the two would leave no run behind: a race, not what this test is about).
        while (
            not session.scalar(select(JobLock.name).where(JobLock.name == "job:slow"))
            and not (engine.dialect.name == "postgresql" and _advisory_lock_held(session))
        ) or not session.scalars(select(JobRun.outcome)).all():
            assert time.monotonic() < deadline and process.poll() is None, "the job never started"
            time.sleep(0.1)
            session.rollback()
    finally:
        process.kill()
        process.wait()
    session.rollback()
    assert session.scalars(select(JobRun.outcome)).all() == ["running"]  # left behind

    if engine.dialect.name != "postgresql":  # a lock row outlives its process until it expires
        session.execute(update(JobLock).values(expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
    monkeypatch.setattr(scheduler, "registry", lambda: {"slow": Job("slow", lambda _s: {}, "interval")})
    next_run = run_job(database().session_factory, "slow")
    assert next_run.outcome == "succeeded"
    session.expire_all()
    killed = session.scalars(select(JobRun).where(JobRun.id != next_run.id)).one()
    assert killed.outcome == "interrupted" and killed.finished_at is not None
    assert "Stopped before it finished" in (killed.error or "")


def _advisory_lock_held(session: Session) -> bool:
    return bool(
        session.scalar(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k"),
            {"k": scheduler._lock_key("job:slow") & 0xFFFFFFFF},
        )
    )
