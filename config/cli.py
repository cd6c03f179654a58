"""Operator commands: ``flask db``, ``flask audit``, ``flask demo``, ``flask jobs``, ``flask scheduler``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from config import audit, audit_checkpoints, settings
from config.extensions import database
from config.migrations import upgrade_to_head
from config.scheduler import recent_runs, registry, run_job, run_scheduler


def register(app: Flask) -> None:
    db_cli = AppGroup("db", help="Database migrations (Alembic).")
    audit_cli = AppGroup("audit", help="The audit log.")
    demo_cli = AppGroup("demo", help="Demonstration data.")
    jobs_cli = AppGroup("jobs", help="Scheduled jobs.")
    scheduler_cli = AppGroup("scheduler", help="The scheduler process.")

    @db_cli.command("upgrade")
    def db_upgrade() -> None:
        """Migrate the database to the latest revision."""
        upgrade_to_head(database().engine)
        click.echo("database is at the latest revision")

    @audit_cli.command("verify")
    @click.option(
        "--checkpoints",
        "directory",
        type=click.Path(file_okay=False, path_type=Path),
        help="Also compare the chain with the signed checkpoints in this directory.",
    )
    @click.option(
        "--public-key",
        "public_key",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="The checkpoints' Ed25519 public key (PEM); by default, that of AUDIT_SIGNING_KEY.",
    )
    def audit_verify(directory: Path | None, public_key: Path | None) -> None:
        """Check every link of the audit chain, and with --checkpoints that nothing was re-hashed
        or cut off since each signed checkpoint; exit 1 naming every problem found."""
        with database().session_factory() as session:
            if directory is None:
                report = audit.verify_chain(session)
                problems: tuple[str, ...] = ()
            else:
                key = (
                    audit_checkpoints.load_public_key(public_key.read_bytes())
                    if public_key
                    else audit_checkpoints.signing_key(settings.current()).public_key()
                )
                result = audit_checkpoints.verify_against_checkpoints(
                    session, audit_checkpoints.load_checkpoints(directory, key)
                )
                report, problems = result.chain, result.problems
        if not report.ok:
            click.echo(
                f"audit chain broken at event {report.broken_seq}"
                f"{f' (id {report.broken_id})' if report.broken_id else ''}: {report.reason}; "
                f"{report.checked} events before it verified",
                err=True,
            )
        for problem in problems:
            click.echo(f"audit log not as signed: {problem}", err=True)
        if directory is not None and not result.checkpoints and not problems:
            click.echo(f"no signed checkpoints in {directory}", err=True)
            sys.exit(1)
        if not report.ok or problems:
            sys.exit(1)
        click.echo(f"audit chain intact: {report.checked} events verified")
        if directory is not None:
            click.echo(f"matches {result.checkpoints} signed checkpoints")

    @audit_cli.command("public-key")
    def audit_public_key() -> None:
        """Print the checkpoints' public key (PEM), for auditors to verify with."""
        click.echo(
            audit_checkpoints.public_key_pem(audit_checkpoints.signing_key(settings.current())).decode()
        )

    @demo_cli.command("seed")
    @click.option("--json", "as_json", is_flag=True, help="Print what a tester needs as JSON.")
    @click.option("--force", is_flag=True, help="Seed even though the database already has data.")
    @click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database has data.")
    def demo_seed(as_json: bool, force: bool, if_empty: bool) -> None:
        """Fill an empty database with demonstration data."""
        from config.demo import DatabaseNotEmpty, seed

        try:
            summary = seed(database().session_factory, force=force)
        except DatabaseNotEmpty as exc:
            if if_empty:
                click.echo("the database already has data: demo data not added")
                return
            raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps(summary, indent=2))
        else:
            click.echo(
                "demo data created: "
                + ", ".join(f"{len(v)} {k}" for k, v in summary.items() if isinstance(v, list))
            )

    @jobs_cli.command("list")
    def jobs_list() -> None:
        for job in registry().values():
            click.echo(f"{job.name:28} {job.trigger:9} {job.description}")

    @jobs_cli.command("run")
    @click.argument("name", type=click.Choice(sorted(registry())))
    def jobs_run(name: str) -> None:
        """Run one job now (under its lock, recorded like a scheduled run)."""
        run = run_job(database().session_factory, name)
        click.echo(f"{name}: {run.outcome} {json.dumps(run.counts)}")
        if run.outcome == "failed":
            click.echo(run.error or "", err=True)
            sys.exit(1)

    @jobs_cli.command("history")
    def jobs_history() -> None:
        with database().session_factory() as session:
            for run in recent_runs(session):
                started = f"{run.started_at:%Y-%m-%d %H:%M:%S}"
                click.echo(f"{started} {run.job_name:28} {run.outcome:10} {json.dumps(run.counts)}")

    @scheduler_cli.command("run")
    def scheduler_run() -> None:
        """Run the scheduler in this process until stopped (a second one waits as a standby)."""
        run_scheduler(database().session_factory)

    for group in (db_cli, audit_cli, demo_cli, jobs_cli, scheduler_cli):
        app.cli.add_command(group)
