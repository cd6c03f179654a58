"""Test infrastructure: a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL).

The database is migrated once per run with Alembic (so every run also tests the migrations).
SQLite: each test gets a copy of the migrated file. PostgreSQL: rows are cleared after each test.
Tests that need PostgreSQL's own features are marked ``postgres_only`` and are deselected (not
skipped) on SQLite; CI runs the suite on both.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from config.app import create_app
from config.database import make_engine
from config.extensions import database
from config.migrations import upgrade_to_head
from config.settings import Settings

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres_only")]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL.rsplit('/', 1)[-1] if ON_POSTGRES else 'SQLite'}"


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if ON_POSTGRES:
        engine = make_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        upgrade_to_head(engine)
        engine.dispose()
        return TEST_DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade_to_head(engine)
    engine.dispose()
    return f"sqlite:///{template}"


def _test_url(migrated_url: str, tmp_path: Path) -> str:
    if ON_POSTGRES:
        return migrated_url
    copy = tmp_path / "test.db"
    shutil.copyfile(migrated_url.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


def _clear_postgres(app: Flask) -> None:
    engine = database().engine
    with engine.begin() as connection:
        tables = connection.execute(
            text(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).scalars()
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=_test_url(migrated_url, tmp_path),
        secret_key="test-secret-key-that-is-long-enough-0123456789",
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    with app.app_context():
        yield app
        if ON_POSTGRES:
            _clear_postgres(app)
        database().engine.dispose()


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_overrides() -> dict[str, object]:
    """Settings a test module changes for its served app (override this fixture in the module)."""
    return {}


@pytest.fixture
def live_server(migrated_url: str, tmp_path: Path, live_overrides: dict[str, object]) -> Iterator[LiveServer]:
    """The app served over real HTTP on 127.0.0.1, with the development identity provider on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        environment="test",
        database_url=_test_url(migrated_url, tmp_path),
        secret_key="live-server-secret-key-long-enough-0123456789",
        base_url=url,
        dev_identity_provider=True,
        **live_overrides,  # type: ignore[arg-type]
    )
    app = create_app(settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with app.app_context():
            yield LiveServer(url, app)
            if ON_POSTGRES:
                _clear_postgres(app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            database().engine.dispose()


@pytest.fixture
def db(live_server: LiveServer) -> Iterator[Session]:
    """A session on the served app's database, for setting up and checking what HTTP did."""
    with database().session_factory() as session:
        yield session


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    session = database().session_factory()
    yield session
    session.close()


@pytest.fixture
def session_factory(app: Flask):
    return database().session_factory


@pytest.fixture
def software(live_server: LiveServer, db: Session) -> tuple[Any, str, str, str]:
    """A nursery's registered software: (provider, client id, client secret, redirect address)."""
    from providers import service as providers
    from tests.factories import create_provider

    provider, admin = create_provider(db, name="Little Acorns")
    client, secret = providers.register_api_client(
        db, admin, name="Nursery Manager", redirect_uris=[f"{live_server.url}/client/callback"]
    )
    return provider, client.client_id, secret, f"{live_server.url}/client/callback"
