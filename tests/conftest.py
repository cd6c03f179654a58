"""Test infrastructure: a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL).

As GOV.UK Notify's suite does: each test process (each pytest-xdist worker) has a database of its
own, migrated once with Alembic (so every run also tests the migrations); the app is built once
per process, and its rows are cleared after every test. A served app (``live_server``) is built
once per process for each set of settings a module asks for (``live_overrides``). A test that
changes the app itself (adds a route, points Babel elsewhere) is marked ``own_app`` and gets a
fresh one. Tests that need PostgreSQL's own features are marked ``postgres_only`` and are
deselected (not skipped) on SQLite; CI runs the suite on both.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, request_finished
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, close_all_sessions
from werkzeug.serving import BaseWSGIServer, make_server

from config import settings as settings_module
from config.app import create_app
from config.database import Base, make_engine
from config.extensions import database
from config.migrations import upgrade_to_head
from config.models import load_all_models
from config.settings import Settings
from tests.browser import browser_type_launch_args  # noqa: F401  (a pytest-playwright fixture)
from tests.page_checks import RECORDER

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… under pytest-xdist
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


request_finished.connect(RECORDER.check_response)


@pytest.fixture(autouse=True)
def every_page_checked(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test that rendered a page a person should not see (tests/page_checks.py)."""
    RECORDER.clear()
    yield
    problems = RECORDER.take()
    if problems:
        pytest.fail("Pages with problems:\n" + "\n".join(sorted(set(problems))), pytrace=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres_only")]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL.rsplit('/', 1)[-1] if ON_POSTGRES else 'SQLite'}"


# --- one database per test process ------------------------------------------------------------


def _own_postgres_database() -> Iterator[str]:
    """TEST_DATABASE_URL itself, or under xdist a database of the worker's own named after it."""
    if not WORKER:
        yield TEST_DATABASE_URL
        return
    base, name = TEST_DATABASE_URL.rsplit("/", 1)
    own = f"{name}_{WORKER}"
    admin = make_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{own}"'))
    try:
        yield f"{base}/{own}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This process's database, empty and migrated to the head."""
    if ON_POSTGRES:
        for url in _own_postgres_database():
            engine = make_engine(url)
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            upgrade_to_head(engine)
            engine.dispose()
            yield url
        return
    path = tmp_path_factory.mktemp("db") / "test.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as connection:
        _SQLITE_TRIGGERS.extend(
            connection.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        )
    engine.dispose()
    yield f"sqlite:///{path}"


# The migrated SQLite database's triggers (the audit log's), made again after each clean-up: a
# test may drop them to tamper with the log, as someone with the database file could.
_SQLITE_TRIGGERS: list[Any] = []


def clear_database(engine: Engine) -> None:
    """Every row gone, the schema kept: after each test."""
    # A test's own session still open (its fixture torn down after this one) holds its locks and
    # would block the TRUNCATE on PostgreSQL for ever: close every session first, and wait for a
    # lock no longer than a minute, so a lock missed here fails the test instead of hanging CI.
    close_all_sessions()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL lock_timeout = '60s'"))
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            ).scalars()
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            return
        # SQLite has no TRUNCATE, and the audit log's triggers refuse DELETE: lift them meanwhile.
        for name, _sql in _SQLITE_TRIGGERS:
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}"'))
        load_all_models()
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        for _name, sql in _SQLITE_TRIGGERS:
            connection.execute(text(sql))


# --- apps, built once per process -------------------------------------------------------------


def _reset(app: Flask) -> None:
    """What an app remembers between requests that one test must not leave to the next."""
    for limiter in app.extensions.get("limiter", ()):
        limiter.reset()


@pytest.fixture(scope="session")
def test_settings(migrated_url: str) -> Settings:
    return Settings(environment="test", database_url=migrated_url, secret_key=SECRET_KEY)


@pytest.fixture(scope="session")
def shared_app(test_settings: Settings) -> Iterator[Flask]:
    app = create_app(test_settings)
    yield app
    with app.app_context():
        database().engine.dispose()


@pytest.fixture
def settings(test_settings: Settings) -> Settings:
    return test_settings


@pytest.fixture
def app(request: pytest.FixtureRequest, test_settings: Settings) -> Iterator[Flask]:
    """The app in an app context of the test's own; its rows are cleared afterwards."""
    own = request.node.get_closest_marker("own_app") is not None
    app = create_app(test_settings) if own else request.getfixturevalue("shared_app")
    settings_module.use(test_settings)
    _reset(app)
    with app.app_context():
        try:
            yield app
        finally:
            clear_database(database().engine)
            if own:
                database().engine.dispose()


@dataclass
class LiveServer:
    url: str
    app: Flask


@dataclass
class _Served:
    server: LiveServer
    settings: Settings
    wsgi: BaseWSGIServer
    thread: threading.Thread


def _serve(migrated_url: str, overrides: dict[str, object]) -> _Served:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        environment="test",
        database_url=migrated_url,
        secret_key="live-server-secret-key-long-enough-0123456789",
        base_url=url,
        dev_identity_provider=True,
        **overrides,  # type: ignore[arg-type]
    )
    app = create_app(settings)
    wsgi = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=wsgi.serve_forever, daemon=True)
    thread.start()
    return _Served(LiveServer(url, app), settings, wsgi, thread)


def _stop(served: _Served) -> None:
    served.wsgi.shutdown()
    served.thread.join(timeout=10)
    with served.server.app.app_context():
        database().engine.dispose()


@pytest.fixture(scope="session")
def served_apps(migrated_url: str) -> Iterator[dict[tuple[tuple[str, Any], ...], _Served]]:
    """The apps served so far in this process, one for each set of settings."""
    served: dict[tuple[tuple[str, Any], ...], _Served] = {}
    yield served
    for each in served.values():
        _stop(each)


@pytest.fixture
def live_overrides() -> dict[str, object]:
    """Settings a test module changes for its served app (override this fixture in the module)."""
    return {}


@pytest.fixture
def live_server(
    request: pytest.FixtureRequest,
    migrated_url: str,
    served_apps: dict[tuple[tuple[str, Any], ...], _Served],
    live_overrides: dict[str, object],
) -> Iterator[LiveServer]:
    """The app served over real HTTP on 127.0.0.1, with the development identity provider on."""
    own = request.node.get_closest_marker("own_app") is not None
    key = tuple(sorted(live_overrides.items()))
    if own:
        served = _serve(migrated_url, live_overrides)
    else:
        if key not in served_apps:
            served_apps[key] = _serve(migrated_url, live_overrides)
        served = served_apps[key]
    settings_module.use(served.settings)
    _reset(served.server.app)
    try:
        with served.server.app.app_context():
            try:
                yield served.server
            finally:
                clear_database(database().engine)
    finally:
        if own:
            _stop(served)


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
