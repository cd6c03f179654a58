"""Operations: health and readiness, Prometheus metrics, request ids in JSON logs, security headers."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from flask import Flask

from config.app import create_app
from config.auth import SYSTEM
from config.extensions import database
from config.operations import JsonFormatter, request_id
from config.scheduler import Job, run_job
from config.settings import Settings
from invoicing import service
from tests.factories import World


def test_health_and_readiness(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {"status": "ready"}
    empty = create_app(
        Settings(environment="test", database_url=f"sqlite:///{tmp_path / 'empty.db'}", secret_key="x" * 40)
    )
    answer = empty.test_client().get("/readyz")
    assert answer.status_code == 503 and "not migrated" in answer.json["reason"]


def test_metrics_count_requests_jobs_and_payments(app: Flask, session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    service.record_payment_sent(session, SYSTEM, batch.payments[0].id, "tr_1")
    run_job(database().session_factory, "expire-consents")
    client = app.test_client()
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'ccd_http_requests_total{endpoint="operations.healthz",method="GET",status="200"}' in text
    assert "ccd_http_request_duration_seconds_bucket" in text
    assert 'ccd_job_runs_total{job="expire-consents",outcome="succeeded"} 1.0' in text
    assert 'ccd_payments{state="sent"} 1.0' in text


def test_pages_carry_a_request_id_and_security_headers_with_a_nonce_for_the_inline_script(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/", headers={"X-Request-Id": "abc-123"})
    assert page.headers["X-Request-Id"] == "abc-123"
    assert client.get("/", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"] != "<script>"
    policy = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = page.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attributes for attributes in inline)
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    assert client.get("/").headers["Content-Security-Policy"] != policy  # a fresh nonce each time
    cookie = app.test_client().get("/provider/sign-in").headers.get("Set-Cookie", "")  # a CSRF token
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_log_lines_are_json_with_the_request_or_job_id(app: Flask, monkeypatch) -> None:
    seen: list[str] = []

    def remember(_session) -> dict[str, int]:
        seen.append(request_id.get())
        return {}

    monkeypatch.setattr(
        "config.scheduler.registry", lambda: {"probe": Job("probe", remember, "interval", {}, "")}
    )
    run = run_job(database().session_factory, "probe")
    assert seen == [f"job:probe:{run.id}"]

    token = request_id.set("req-42")
    try:
        record = logging.LogRecord("ccd", logging.INFO, __file__, 1, "hello %s", ("there",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert (line["message"], line["request_id"], line["level"]) == ("hello there", "req-42", "info")
