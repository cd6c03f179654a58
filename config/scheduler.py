"""Scheduled jobs: one registry defined in code, a lock per job, and a record of every run.

The scheduler runs in its own process (``flask scheduler run``), never inside web workers. Every
job is a plain function ``job(session) -> counts`` that is safe to run twice. Before it runs, the
job's lock is taken (a PostgreSQL advisory lock; a lock row on SQLite), so two schedulers, or a
scheduler and ``flask jobs run``, never do the same work at once. A whole scheduler also holds a
leader lock: a second one started beside it waits as a standby until the first stops.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import traceback
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import String, Text, delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from config.database import Base, UUIDPrimaryKey, utcnow
from config.operations import request_id

log = logging.getLogger(__name__)

JobFunction = Callable[[Session], dict[str, int]]


class JobRun(UUIDPrimaryKey, Base):
    __tablename__ = "job_runs"

    job_name: Mapped[str] = mapped_column(String(60), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running, succeeded, failed, skipped (another run held the lock), or interrupted (its process
    # ended before it finished: found by the next run of the job to take the lock)
    outcome: Mapped[str] = mapped_column(String(12))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(120))


class JobLock(Base):
    """Lock rows for SQLite, which has no advisory locks. Expired rows may be taken over."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime]


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    trigger: str
    trigger_args: dict[str, Any] = field(default_factory=dict)
    description: str = ""


def registry() -> dict[str, Job]:
    """Every scheduled job, by name. Built on call so that config imports no domain at start."""
    from claimants import jobs as claimants_jobs
    from invoicing import jobs as invoicing_jobs
    from providers import jobs as providers_jobs

    jobs = [
        Job(
            "check-confirmed-invoices",
            invoicing_jobs.check_confirmed_invoices,
            "interval",
            {"minutes": 1},
            "Approve clean confirmed invoices; hold flagged ones for review",
        ),
        Job(
            "build-daily-batch",
            invoicing_jobs.build_daily_batch,
            "cron",
            {"day_of_week": "mon-fri", "hour": 15, "minute": 0},
            "Build the day's payment batch at the cut-off and send it for approval",
        ),
        Job(
            "submit-approved-batches",
            invoicing_jobs.submit_approved_batches,
            "interval",
            {"minutes": 5},
            "Send approved batches' payments through Stripe Connect (hash re-checked first)",
        ),
        Job(
            "resolve-unknown-payments",
            invoicing_jobs.resolve_unknown_payments,
            "interval",
            {"minutes": 10},
            "Find payments whose rail call got no answer in the rail's records",
        ),
        Job(
            "reconcile-payments",
            invoicing_jobs.reconcile_payments,
            "interval",
            {"minutes": 30},
            "Compare sent payments with the rail's records: paid, failed or a break",
        ),
        Job(
            "send-statements",
            invoicing_jobs.send_statements,
            "interval",
            {"minutes": 15},
            "Send the claim system each statement of childcare costs paid direct (retried until taken)",
        ),
        Job(
            "check-awards",
            invoicing_jobs.check_awards,
            "cron",
            {"hour": 6, "minute": 0},
            "Record against the parent what DWP paid beyond an award calculated after payment",
        ),
        Job(
            "expire-consents",
            claimants_jobs.expire_consents,
            "cron",
            {"hour": 0, "minute": 30},
            "Warn parents of consents ending in 30 and 7 days; expire consents past their date",
        ),
        Job(
            "remind-unconfirmed",
            invoicing_jobs.remind_unconfirmed,
            "cron",
            {"hour": 9, "minute": 0},
            "Remind parents of invoices waiting 3 and 7 days; tell DWP at 14 days",
        ),
        Job(
            "resume-uploads",
            invoicing_jobs.resume_uploads,
            "interval",
            {"minutes": 2},
            "Finish spreadsheet submissions a stopped web process left part done",
        ),
        Job(
            "deliver-webhooks",
            providers_jobs.deliver_webhooks,
            "interval",
            {"minutes": 1},
            "Post queued events to nursery software, retrying with backoff",
        ),
        Job(
            "checkpoint-audit-chain",
            _checkpoint_audit_chain,
            "interval",
            {"minutes": 10},
            "Sign the audit chain's head and write the checkpoint outside the database",
        ),
        Job(
            "send-notifications",
            _send_notifications,
            "interval",
            {"minutes": 1},
            "Send queued emails through GOV.UK Notify",
        ),
    ]
    return {job.name: job for job in jobs}


def _checkpoint_audit_chain(session: Session) -> dict[str, int]:
    from config import settings
    from config.audit_checkpoints import run_checkpoint_job

    return run_checkpoint_job(session, settings.current())


def _send_notifications(session: Session) -> dict[str, int]:
    from config.notify import notify_client, send_due

    return send_due(session, notify_client())


HOLDER = f"{socket.gethostname()}:{os.getpid()}"


def _lock_key(name: str) -> int:
    return zlib.crc32(f"childcare-direct:{name}".encode())


@contextmanager
def held_lock(engine: Engine, name: str, ttl: timedelta = timedelta(minutes=30)) -> Iterator[bool]:
    """Try to take the named lock; yields whether it was taken, and releases it afterwards."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            taken = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_key(name)}))
            connection.commit()
            try:
                yield taken
            finally:
                if taken:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(name)})
                    connection.commit()
        return
    with engine.connect() as connection:
        taken = _take_lock_row(connection, name, ttl)
        try:
            yield taken
        finally:
            if taken:
                connection.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == HOLDER))
                connection.commit()


def _take_lock_row(connection: Connection, name: str, ttl: timedelta) -> bool:
    now = utcnow()
    try:
        connection.execute(insert(JobLock).values(name=name, holder=HOLDER, expires_at=now + ttl))
        connection.commit()
        return True
    except IntegrityError:
        connection.rollback()
    # Held: take it over only if its holder let it expire (died without releasing it).
    result = connection.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.expires_at < now)
        .values(holder=HOLDER, expires_at=now + ttl)
    )
    connection.commit()
    return result.rowcount == 1


def run_job(session_factory: sessionmaker[Session], name: str) -> JobRun:
    """Run one job now under its lock, and record the run (skipped if the lock is held)."""
    job = registry()[name]
    run_id = uuid.uuid4()
    token = request_id.set(f"job:{name}:{run_id}")  # every log line of the run carries it
    try:
        with session_factory() as session:
            return _run_under_lock(session_factory, session, job, run_id)
    finally:
        request_id.reset(token)


def run_job_in_app(app: Flask, session_factory: sessionmaker[Session], name: str) -> JobRun:
    """``run_job`` on one of the scheduler's threads, which begin with no app context: in the
    app's, so what a job writes for people (a held invoice's reason, a consent's last day) is
    made in each reader's language through Babel, never left in English."""
    with app.app_context():
        return run_job(session_factory, name)


def _run_under_lock(
    session_factory: sessionmaker[Session], session: Session, job: Job, run_id: uuid.UUID
) -> JobRun:
    """A run is recorded as running only once it holds the job's lock, so a run found "running"
    by the next holder of the lock can only be one whose process died (a run that lost the race
    for the lock is recorded as skipped, never as running)."""
    name = job.name
    engine = session_factory.kw["bind"]
    started = utcnow()
    with held_lock(engine, f"job:{name}") as taken:
        run = JobRun(
            id=run_id,
            job_name=name,
            started_at=started,
            outcome="running" if taken else "skipped",
            host=HOLDER,
        )
        session.add(run)
        if not taken:
            run.finished_at = utcnow()
            return _finished(session, run)
        session.commit()
        _mark_interrupted(session, run)
        try:
            with session_factory() as job_session:
                run.counts = job.function(job_session)
            run.outcome = "succeeded"
        except Exception:
            log.exception("job %s failed", name)
            run.outcome, run.error = "failed", traceback.format_exc()[-4000:]
    run.finished_at = utcnow()
    log.info("job finished", extra={"job": name, "outcome": run.outcome})
    return _finished(session, run)


def _mark_interrupted(session: Session, run: JobRun) -> None:
    """With the job's lock held, no other run of it can still be running: only a holder of the lock
    is ever recorded as running, so any other still recorded so was killed mid-way (its lock died
    with its process). Say so, and log it."""
    stale = session.scalars(
        select(JobRun).where(
            JobRun.job_name == run.job_name, JobRun.outcome == "running", JobRun.id != run.id
        )
    ).all()
    for earlier in stale:
        earlier.outcome, earlier.finished_at = "interrupted", utcnow()
        earlier.error = f"Stopped before it finished; found by the run at {run.started_at:%Y-%m-%d %H:%M} UTC"
        log.warning("job run interrupted", extra={"job": run.job_name, "run": str(earlier.id)})
    session.commit()


def _finished(session: Session, run: JobRun) -> JobRun:
    """Commit the run and hand it back readable after its session has closed."""
    session.commit()
    session.refresh(run)
    session.expunge(run)
    return run


def recent_runs(session: Session, limit: int = 50) -> list[JobRun]:
    return list(session.scalars(select(JobRun).order_by(JobRun.started_at.desc()).limit(limit)))


LEADER_LOCK = "scheduler-leader"
LEADER_TTL = timedelta(seconds=60)


def _refresh_lock_row(engine: Engine, name: str, ttl: timedelta) -> None:
    with engine.connect() as connection:
        connection.execute(
            update(JobLock)
            .where(JobLock.name == name, JobLock.holder == HOLDER)
            .values(expires_at=utcnow() + ttl)
        )
        connection.commit()


def run_scheduler(session_factory: sessionmaker[Session], poll_seconds: float = 5.0) -> None:
    """Wait to become the leader, then run every job on its trigger (Europe/London time), each
    in the app context ``flask scheduler run`` started in."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's app
    engine = session_factory.kw["bind"]
    while True:
        with held_lock(engine, LEADER_LOCK, ttl=LEADER_TTL) as leader:
            if leader:
                log.info("scheduler %s is the leader", HOLDER)
                scheduler = BlockingScheduler(
                    timezone="Europe/London",
                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
                )
                for job in registry().values():
                    scheduler.add_job(
                        run_job_in_app,
                        job.trigger,
                        args=[app, session_factory, job.name],
                        id=job.name,
                        name=job.description or job.name,
                        **job.trigger_args,
                    )
                if engine.dialect.name != "postgresql":
                    # A lock row outlives a killed process: keep it fresh so a standby can take over.
                    scheduler.add_job(
                        _refresh_lock_row, "interval", seconds=20, args=[engine, LEADER_LOCK, LEADER_TTL]
                    )
                scheduler.start()
                return
        log.info("another scheduler is the leader; %s waits as a standby", HOLDER)
        time.sleep(poll_seconds)
