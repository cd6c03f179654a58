"""Real gunicorn for tests: ``gunicorn -w N wsgi:app`` on a free port of 127.0.0.1, reading the
project's gunicorn.conf.py, against the test process's own database.

Each request a test sends on a new connection (``Connection: close``) may land on any worker;
the access log names the worker (its pid) that answered each request, so a test can show that
what it relies on was shared across workers rather than kept in one of them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "gunicorn-test-secret-key-long-enough-0123456789"


@dataclass
class Gunicorn:
    url: str
    process: subprocess.Popen[bytes]
    access_log: Path

    def served_by(self, path_prefix: str = "/") -> list[tuple[str, str, int]]:
        """(worker pid, path, status) of every request logged so far under ``path_prefix``."""
        rows = []
        for line in self.access_log.read_text().splitlines():
            pid, _method, path, status = line.split(" ", 3)
            if path.startswith(path_prefix):
                rows.append((pid, path, int(status)))
        return rows


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(port: int, database_url: str, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REDIS_", "RATE_LIMIT_", "APP_ENV", "DEV_IDENTITY", "WEB_", "DATABASE_URL"))
    }
    env.update(
        APP_ENV="test",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET_KEY,
        BASE_URL=f"http://127.0.0.1:{port}",
        BIND=f"127.0.0.1:{port}",
        DEV_IDENTITY_PROVIDER="1",
    )
    env.update(overrides)
    return env


def command(workers: int, access_log: Path | None = None) -> list[str]:
    args = [sys.executable, "-m", "gunicorn", "-w", str(workers)]
    if access_log is not None:
        args += ["--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s"]
    return [*args, "wsgi:app"]


@contextmanager
def gunicorn(tmp_path: Path, database_url: str, *, workers: int = 4, **overrides: str) -> Iterator[Gunicorn]:
    """Start gunicorn, wait until every worker answers /healthz, and stop it afterwards."""
    port = free_port()
    log = tmp_path / f"access-{port}.log"
    log.touch()
    errors = (tmp_path / f"gunicorn-{port}.err").open("wb")
    process = subprocess.Popen(
        command(workers, log),
        cwd=ROOT,
        env=environment(port, database_url, **overrides),
        stdout=errors,
        stderr=errors,
    )
    served = Gunicorn(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_up(served, workers)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        errors.close()


def _wait_until_up(served: Gunicorn, workers: int, timeout: float = 240) -> None:
    """Until every worker has answered /healthz (each imports the app on its own after the fork),
    so that the test's requests are spread over all of them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise AssertionError(f"gunicorn stopped with {served.process.returncode}")
        try:
            requests.get(f"{served.url}/healthz", headers={"Connection": "close"}, timeout=15)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still importing
            time.sleep(0.3)
            continue
        if len({pid for pid, _path, status in served.served_by("/healthz") if status == 200}) >= workers:
            return
        time.sleep(0.05)
    raise AssertionError("gunicorn's workers did not all start in time")


def run_to_exit(database_url: str, *, workers: int, timeout: float = 60, **overrides: str) -> tuple[int, str]:
    """Start gunicorn expecting it to refuse: its exit status and what it wrote."""
    port = free_port()
    finished = subprocess.run(
        command(workers),
        cwd=ROOT,
        env=environment(port, database_url, **overrides),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    return finished.returncode, (finished.stdout + finished.stderr).decode(errors="replace")
