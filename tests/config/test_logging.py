"""Logs: plain lines a person reads in development (``make run``), JSON objects in production;
never the terminal's colour codes, which werkzeug's development server puts in its messages."""

from __future__ import annotations

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from config.operations import JsonFormatter, ReadableFormatter, configure_logging, request_id
from config.settings import PROJECT_ROOT

COLOURED_REQUEST = '127.0.0.1 - - [02/Dec/2026 10:00:00] "\x1b[33mGET /nope HTTP/1.1\x1b[0m" 404 -'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_development_server_prints_plain_lines_with_the_request_and_no_colour_codes(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
        "SECRET_KEY": "k" * 40,
        "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "FORCE_COLOR": "1",  # werkzeug colours its request lines whenever it can
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--port", str(port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        answer = requests.get(f"http://127.0.0.1:{port}/page-that-is-not-here", timeout=10)
        assert answer.status_code == 404
        time.sleep(0.5)
    finally:
        server.terminate()
        _out, err = server.communicate(timeout=20)
    assert "\x1b[" not in err
    lines = [line for line in err.splitlines() if "page-that-is-not-here" in line]
    # One line for the request (ours; werkzeug's own would repeat it), in words, not JSON.
    assert len(lines) == 1, err
    assert " INFO    ccd.request  GET /page-that-is-not-here 404 " in lines[0]
    assert " ms  request_id=" in lines[0] and not lines[0].startswith("{")
    assert "Press CTRL+C to quit" in err  # werkzeug's other messages stay


def test_production_logs_are_json_objects_without_colour_codes() -> None:
    root = logging.getLogger()
    kept_handlers, kept_level = root.handlers[:], root.level
    out = io.StringIO()
    try:
        configure_logging(readable=False)
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler) and isinstance(handler.formatter, JsonFormatter)
        handler.setStream(out)
        token = request_id.set("req-7")
        try:
            logging.getLogger("werkzeug").warning(COLOURED_REQUEST)
            logging.getLogger("ccd.request").info(
                "request", extra={"method": "GET", "path": "/x", "status": 200, "duration_ms": 1.5}
            )
        finally:
            request_id.reset(token)
    finally:
        root.handlers = kept_handlers
        root.setLevel(kept_level)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["message"] == '127.0.0.1 - - [02/Dec/2026 10:00:00] "GET /nope HTTP/1.1" 404 -'
    assert (first["level"], first["logger"], first["request_id"]) == ("warning", "werkzeug", "req-7")
    assert (second["path"], second["status"], second["duration_ms"]) == ("/x", 200, 1.5)


def test_a_readable_line_has_time_level_logger_message_and_key_fields() -> None:
    record = logging.LogRecord("ccd.jobs", logging.WARNING, __file__, 1, "ran %s", ("reconcile",), None)
    record.job, record.outcome = "reconcile-payments", "failed"
    line = ReadableFormatter().format(record)
    assert line[12:] == " WARNING ccd.jobs  ran reconcile  job=reconcile-payments outcome=failed"
    assert line[2] == ":" and line[5] == ":" and line[8] == "."
    coloured = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "\x1b[1mbold\x1b[0m", None, None)
    assert ReadableFormatter().format(coloured).endswith("werkzeug  bold")
