"""Running it: request ids, JSON logs, security headers, /healthz, /readyz and Prometheus /metrics.

- Every request gets an id (a sane incoming ``X-Request-Id`` is kept), answered in
  ``X-Request-Id`` and written on every log line; work a request hands to a thread, and each
  scheduled job run, log under an id of their own kind (``job:<name>:<run id>``).
- Logs are one JSON object per line on stderr in production (and wherever ``APP_ENV`` is not
  ``development``); in development, one plain line a person reads (time, level, logger, message,
  key fields). Terminal colour codes (werkzeug colours its request lines) never reach either.
- Pages carry a Content-Security-Policy with a fresh nonce for GOV.UK's one inline script, and
  the usual headers (no sniffing, no framing, a strict referrer policy; HSTS in production).
- Every answer but the static assets says ``Cache-Control: no-store``: signed-in pages and the
  API carry personal data, which no browser, proxy or shared computer should keep.
- ``/healthz``: the process answers. ``/readyz``: the database answers and its schema is at the
  migrations' head. ``/metrics``: request counts and latencies, job runs by outcome and payments
  by state (the last two read from the database, so they are the same from every process).
  With ``METRICS_TOKEN`` set it needs ``Authorization: Bearer <METRICS_TOKEN>``; in production
  without one it is not served at all (404).
"""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
import secrets
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from config.extensions import database
from config.formatting import LONDON
from config.migrations import is_at_head

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# ANSI escape sequences (colours, bold): werkzeug's development server puts them in its messages.
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LOG_FIELDS = ("method", "path", "status", "duration_ms", "job", "outcome")


def _message(record: logging.LogRecord) -> str:
    return _TERMINAL_CODES.sub("", record.getMessage()).rstrip()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _message(record),
            "request_id": request_id.get(),
        }
        for key in LOG_FIELDS:
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ReadableFormatter(logging.Formatter):
    """Development: ``14:03:22.120 INFO  ccd.request  GET /finance/home 200 12.5 ms  request_id=…``."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, LONDON).strftime("%H:%M:%S.%f")[:-3]
        if record.name == "ccd.request" and hasattr(record, "path"):
            message = "{} {} {} {} ms".format(*(getattr(record, key, "") for key in LOG_FIELDS[:4]))
            fields = {}
        else:
            message = _message(record)
            fields = {key: getattr(record, key) for key in LOG_FIELDS if hasattr(record, key)}
        rid = request_id.get()
        if rid != "-":
            fields["request_id"] = rid
        extra = "  " + " ".join(f"{key}={value}" for key, value in fields.items()) if fields else ""
        line = f"{when} {record.levelname:<7} {record.name}  {message}{extra}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class _NoWerkzeugRequestLines(logging.Filter):
    """The development server's own request line repeats ``ccd.request``'s (and is coloured)."""

    _REQUEST_LINE = re.compile(r'^\S+ - - \[[^\]]+\] "')

    def filter(self, record: logging.LogRecord) -> bool:
        return not self._REQUEST_LINE.match(_message(record))


def configure_logging(level: int = logging.INFO, *, readable: bool = False) -> None:
    """One line per record on stderr, for the web processes and the scheduler alike: a JSON object,
    or with ``readable`` (development) plain words a person reads."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ReadableFormatter() if readable else JsonFormatter())
    if readable:
        handler.addFilter(_NoWerkzeugRequestLines())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # our own run records say enough


REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "ccd_http_requests", "HTTP requests answered", ["method", "endpoint", "status"], registry=REGISTRY
)
LATENCY = Histogram(
    "ccd_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)


class _DatabaseFigures(Collector):
    """Job runs and payments, counted in the database at each scrape (true for every process)."""

    def collect(self) -> Iterator[Any]:
        runs = CounterMetricFamily("ccd_job_runs", "Scheduled job runs by outcome", labels=["job", "outcome"])
        payments = GaugeMetricFamily("ccd_payments", "Payments by state", labels=["state"])
        # Alert on ccd_batches{state="stopped"} > 0: a batch changed after approval (nothing is sent).
        batches = GaugeMetricFamily("ccd_batches", "Payment batches by state", labels=["state"])
        with database().engine.connect() as connection:
            for job, outcome, count in connection.execute(
                text("SELECT job_name, outcome, count(*) FROM job_runs GROUP BY job_name, outcome")
            ):
                runs.add_metric([job, outcome], count)
            for state, count in connection.execute(
                text("SELECT status, count(*) FROM payments GROUP BY status")
            ):
                payments.add_metric([state], count)
            for state, count in connection.execute(
                text("SELECT status, count(*) FROM payment_batches GROUP BY status")
            ):
                batches.add_metric([state], count)
        yield runs
        yield payments
        yield batches


def _content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        )
    )


def init_operations(app: Flask, *, production: bool, metrics_token: str = "") -> None:
    figures = _DatabaseFigures()

    @app.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        g.request_id_token = request_id.set(g.request_id)
        g.started = time.perf_counter()
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def nonce() -> dict[str, str]:
        return {"cspNonce": g.get("csp_nonce", "")}

    @app.after_request
    def finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if "csp_nonce" in g:
            response.headers.setdefault("Content-Security-Policy", _content_security_policy(g.csp_nonce))
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        duration = time.perf_counter() - g.get("started", time.perf_counter())
        REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        LATENCY.labels(endpoint).observe(duration)
        logging.getLogger("ccd.request").info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
            },
        )
        return response

    @app.teardown_request
    def forget(_error: BaseException | None) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)

    ops = Blueprint("operations", __name__)

    @ops.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @ops.get("/readyz")
    def readyz() -> tuple[dict[str, str], int]:
        try:
            engine = database().engine
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            if not is_at_head(engine):
                return {"status": "not ready", "reason": "the database is not migrated to the head"}, 503
        except Exception as error:
            return {"status": "not ready", "reason": type(error).__name__}, 503
        return {"status": "ready"}, 200

    @ops.get("/metrics")
    def metrics() -> Response:
        """Prometheus text, for the scraper only: its bearer token, or nobody in production."""
        if metrics_token:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), metrics_token.encode()):
                return Response("", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'})
        elif production:
            abort(404)
        body = generate_latest(REGISTRY) + generate_latest(_single(figures))
        return Response(body, mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(ops)


def _single(collector: Collector) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry
