"""Scheduled jobs: recorded runs, one lock per job, safe to run twice."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import scheduler
from config.extensions import database
from config.scheduler import Job, JobRun, held_lock, run_job
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
