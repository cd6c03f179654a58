"""API invoice submission at 64 concurrent connections, against a bare one-insert endpoint.

Both run in the same gunicorn processes on the same PostgreSQL: the baseline endpoint
(``POST /bench/bare``) parses a small JSON body and inserts one row in one transaction; ours is
``POST /api/v1/invoices`` with a real token and an Idempotency-Key (every rule, flag, audit event
and notification included). Goal: at least 0.5x the baseline's throughput, p99 at most 2x.
"""

from __future__ import annotations

import base64
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import requests
from sqlalchemy import text

from bench.common import (
    bench_app,
    engine_for,
    fresh_database,
    live_consent,
    percentile,
    report,
    verified_provider,
)

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 64
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
CHILDREN = int(
    os.environ.get("BENCH_CHILDREN", "200")
)  # invoices spread as in life: one child is rarely billed twice a month
PORT = int(os.environ.get("BENCH_PORT", "5091"))


def _serve(url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "test",
        "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
        "RATE_LIMIT_API": "100000000 per minute",
        "RATE_LIMIT_TOKEN": "100000000 per minute",
    }
    process = subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            os.environ.get("BENCH_WORKERS", "4"),
            "--threads",
            "16",
            "bench.serve:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _load(make_request: object, seconds: float) -> tuple[float, list[float], int]:
    """Requests per second, latencies and failures over ``seconds`` with 64 busy connections."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        http = requests.Session()
        mine: list[float] = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            ok = make_request(http)  # type: ignore[operator]
            mine.append(time.perf_counter() - started)
            if not ok:
                with lock:
                    failures[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return len(latencies) / elapsed, latencies, failures[0]


def main() -> None:
    with fresh_database("api") as url:
        token, consent_ids = _set_up(url)
        with engine_for(url).begin() as connection:
            connection.execute(
                text("CREATE TABLE bench_rows (id uuid PRIMARY KEY, note text, created_at timestamptz)")
            )
        server = _serve(url)
        try:
            base = f"http://127.0.0.1:{PORT}"

            def bare(http: requests.Session) -> bool:
                return http.post(f"{base}/bench/bare", json={"note": "x"}, timeout=30).status_code == 201

            def invoice(http: requests.Session) -> bool:
                number = uuid.uuid4().hex[:20]
                month = random.randint(1, 10)  # noqa: S311 - spreading load, not security
                start = date(2026, month, 1)
                answer = http.post(
                    f"{base}/api/v1/invoices",
                    json={
                        "consent_id": random.choice(consent_ids),  # noqa: S311
                        "invoice_number": number,
                        "issued_on": "2026-11-01",
                        "care_from": start.isoformat(),
                        "care_to": (start + timedelta(days=27)).isoformat(),
                        "lines": [
                            {
                                "description": "Full days",
                                "hours": "120",
                                "amount_pence": 95000,
                                "eligible": True,
                            }
                        ],
                    },
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": number},
                    timeout=30,
                )
                return answer.status_code == 201

            _load(bare, 2)  # warm both up
            _load(invoice, 2)
            base_rate, base_latencies, base_failed = _load(bare, SECONDS)
            our_rate, our_latencies, our_failed = _load(invoice, SECONDS)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for label, rate, latencies, failed in (
        ("bare insert", base_rate, base_latencies, base_failed),
        ("invoice API", our_rate, our_latencies, our_failed),
    ):
        p99 = percentile(latencies, 0.99) * 1000
        print(f"{label}: {rate:.0f} requests/s, p99 {p99:.0f} ms, {failed} failed")
    report("API throughput", our_rate, base_rate, "requests/s", ">= 0.5")
    report(
        "API p99 latency",
        percentile(our_latencies, 0.99) * 1000,
        percentile(base_latencies, 0.99) * 1000,
        "ms",
        "<= 2.0",
    )


def _set_up(url: str) -> tuple[str, list[str]]:
    """A verified provider, its software's token, and live consents for many children (services)."""
    from config.auth import StaffRole
    from config.extensions import database
    from providers import service as providers
    from tests.factories import create_staff

    app = bench_app(url)
    with app.app_context(), database().session_factory() as session:
        admin = verified_provider(
            session,
            create_staff(session, StaffRole.CASEWORKER),
            create_staff(session, StaffRole.CASEWORKER),
            0,
        )
        client, secret = providers.register_api_client(session, admin, name="Bench", redirect_uris=[])
        consent_ids = [str(live_consent(session, admin, n).id) for n in range(CHILDREN)]
        client_id = client.client_id
    return _token(app, client_id, secret), consent_ids


def _token(app: object, client_id: str, secret: str) -> str:
    test_client = app.test_client()  # type: ignore[attr-defined]
    answer = test_client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "invoices:write invoices:read"},
        headers={"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()},
    )
    return answer.json["access_token"]


if __name__ == "__main__":
    main()
