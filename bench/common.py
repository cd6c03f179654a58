"""What the benchmarks share: a fresh PostgreSQL database, the app on it, and how results print."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from claimants import service as claimants
from config.app import create_app
from config.auth import Actor
from config.database import make_engine
from config.migrations import upgrade_to_head
from config.settings import Settings
from providers import payees
from providers import service as providers
from providers.accounts import user_actor
from providers.models import Regulator

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(label: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database for one benchmark; dropped afterwards."""
    name = f"ccd_bench_{label}_{int(time.time())}_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def engine_for(url: str) -> Engine:
    return make_engine(url)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(name: str, ours: float, baseline: float, unit: str, goal: str) -> None:
    ratio = ours / baseline if baseline else float("inf")
    print(f"{name}: {ours:.3f} {unit}, baseline {baseline:.3f} {unit}: ratio {ratio:.2f} (goal: {goal})")


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_app(url: str) -> Flask:
    return create_app(Settings(environment="test", database_url=url, secret_key="x" * 40))


def verified_provider(session: Session, checker: Actor, caseworker: Actor, n: int) -> Actor:
    """The n-th benchmark nursery, registered, checked (by ``checker``) and verified (by
    ``caseworker``) through the services: its admin."""
    provider = providers.register_provider(
        session,
        providers.Registration(
            name=f"Bench Nursery {n}",
            regulator=Regulator.OFSTED,
            registration_number=f"EY{n:06d}",
            postcode="LS1 4AP",
            address="",
            region="London",
            bank=payees.BankDetails("089999", "66374958", f"Bench {n}"),
            admin_name="Admin",
            admin_email=f"admin{n}@bench.example",
        ),
    )
    providers.check_provider(session, checker, provider.id)
    providers.verify_provider(session, caseworker, provider.id)
    return user_actor(provider.users[0])


def live_consent(session: Session, provider_admin: Actor, n: int) -> Any:
    """The n-th benchmark parent, claim linked, with one child the provider has live consent for."""
    email = f"parent{n}@bench.example"
    parent = claimants.register_parent(session, name=f"Parent {n}", email=email, oidc_subject=f"bench{n}")
    actor = claimants.parent_actor(parent)
    claimants.link_claim(
        session, actor, claim_reference=f"UC{n}", nino=f"JK{n:06d}A", claim_start_date=date(2025, 1, 15)
    )
    child = claimants.add_child(
        session,
        actor,
        first_name="Kit",
        last_name=f"Bench {n}",
        date_of_birth=date(2023, 5, 4),
        disabled=False,
    )
    request = claimants.request_consent(session, provider_admin, parent_email=email, child_first_name="Kit")
    return claimants.authorise_consent(session, actor, request.id, child.id)
