"""With its database refusing connections the service says so (503), and recovers by itself.

Served over real HTTP. The first test points an app at a database that cannot be reached (a
SQLite file in a folder that does not exist, or a PostgreSQL port nothing listens on). The
PostgreSQL test takes the running app's database away for real (``ALLOW_CONNECTIONS false`` and
``pg_terminate_backend``), then gives it back: the same process answers again, no restart.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from config import settings as settings_module
from config.app import create_app
from config.settings import Settings
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, LiveServer


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # bound, never listening: connections are refused


@pytest.fixture
def unreachable(tmp_path: Path) -> Iterator[str]:
    """The address of an app served over HTTP whose database refuses every connection."""
    if ON_POSTGRES:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nothing"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'childcare.db'}"
    app = create_app(Settings(environment="test", database_url=url, secret_key="d" * 40))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()


def retry_after(answer: requests.Response) -> bool:
    """A Retry-After of whole seconds (the rate limiter may make it later than ours, never earlier)."""
    return int(answer.headers["Retry-After"]) >= 1


def assert_unavailable(base: str) -> None:
    api = requests.get(f"{base}/api/v1/invoices", headers={"Authorization": "Bearer x"}, timeout=30)
    assert api.status_code == 503, api.text
    assert api.headers["Content-Type"] == "application/problem+json" and retry_after(api)
    assert api.json()["status"] == 503 and api.json()["code"] == "service_unavailable"
    token = requests.post(
        f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=("a", "b"), timeout=30
    )
    assert token.status_code == 503 and retry_after(token)
    page = requests.get(f"{base}/provider/invitations/some-token", timeout=30)
    assert page.status_code == 503 and retry_after(page)
    assert "<title>Sorry, there is a problem with the service" in page.text
    assert "Try again later." in page.text


def test_a_database_that_refuses_connections_answers_503_not_500(unreachable: str) -> None:
    assert_unavailable(unreachable)
    assert requests.get(f"{unreachable}/healthz", timeout=30).status_code == 200  # the process is up
    assert requests.get(f"{unreachable}/readyz", timeout=30).status_code == 503


@pytest.mark.postgres_only
def test_the_service_recovers_without_a_restart_when_the_database_comes_back(
    live_server: LiveServer, db
) -> None:
    # The served app's own database: under pytest-xdist each worker has one (<name>_gw0, …).
    name = make_url(settings_module.current().database_url).database
    admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    page = f"{live_server.url}/provider/invitations/some-token"
    assert requests.get(page, timeout=30).status_code == 404  # the database answers
    db.close()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            killed = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            ).scalar_one()
        assert killed >= 1  # the served app's pooled connections
        assert_unavailable(live_server.url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert requests.get(page, timeout=30).status_code == 404  # the same process answers again
    assert requests.get(f"{live_server.url}/readyz", timeout=30).status_code == 200
