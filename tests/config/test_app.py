"""The web app: GOV.UK pages, problem JSON for the API, and gunicorn serving it over real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from flask import Flask

from config.settings import Settings
from invoicing.entitlement import monthly_cap_pence
from invoicing.service import today_in_london

ROOT = Path(__file__).resolve().parents[2]


def test_the_start_page_shows_what_dwp_pays(app: Flask) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Childcare Direct" in page and "claim back 85% later." in page and "{}" not in page
    assert "<title>Childcare Direct – GOV.UK</title>" in page  # the start page names the service once
    cap = monthly_cap_pence(1, today_in_london())
    assert f"£{cap // 100:,}.{cap % 100:02d}" in page


def test_an_unknown_page_is_a_govuk_page_not_found(app: Flask) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert 'href="/">Go to the start of the service</a>' in response.get_data(as_text=True)
    # In a portal, the way on is that portal's start.
    in_portal = app.test_client().get("/provider/no-such-page").get_data(as_text=True)
    assert 'href="/provider">Go to the start of this part of the service</a>' in in_portal


def test_an_unknown_api_address_answers_problem_json(app: Flask) -> None:
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["errors"] == []


def test_production_refuses_unsafe_settings() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings(
            environment="production", database_url="postgresql+psycopg://x/y", secret_key="short"
        ).check()
    with pytest.raises(RuntimeError, match="PostgreSQL"):
        Settings(environment="production", database_url="sqlite:///x.db", secret_key="k" * 40).check()
    safe = {"environment": "production", "database_url": "postgresql+psycopg://x/y", "secret_key": "k" * 40}
    with pytest.raises(RuntimeError, match="BACS_SERVICE_USER_NUMBER"):
        Settings(**safe).check()  # the development Bacs details are not DWP's
    bacs = {
        "bacs_service_user_number": "123456",
        "bacs_sort_code": "200000",
        "bacs_account_number": "12345678",
    }
    with pytest.raises(RuntimeError, match="CLAIM_SYSTEM=http"):
        Settings(**safe, **bacs).check()  # never the development claim system
    with pytest.raises(RuntimeError, match="CLAIM_SYSTEM=http"):
        Settings(**safe, **bacs, claim_system="http", claim_system_url="http://claims.dwp.example").check()
    claims = {"claim_system": "http", "claim_system_url": "https://claims.dwp.example"}
    with pytest.raises(RuntimeError, match="CLAIM_SYSTEM_TOKEN"):
        Settings(**safe, **bacs, **claims).check()  # DWP's claim system answers no one unnamed
    Settings(**safe, **bacs, **claims, claim_system_token="t" * 32).check()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_gunicorn_serves_wsgi_app_over_http(settings: Settings, app: Flask) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "APP_ENV": "test",
        "SECRET_KEY": settings.secret_key,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    assert b'"status":"ok"' in response.read().replace(b" ", b"")
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stderr is not None
        server.stderr.close()
