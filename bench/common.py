"""What the benchmarks share: a fresh PostgreSQL database, the app on it, and how results print."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Engine

from config.database import make_engine
from config.migrations import upgrade_to_head

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
