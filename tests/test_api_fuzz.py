"""schemathesis against the served /api/v1/openapi.json, with a real provider token.

It generates requests from the document (valid and invalid), sends them over HTTP and checks that
nothing answers 5xx, every answer matches the document (status, content type, body schema; so
every error is problem JSON), and missing or bad credentials are refused. The run must make at
least 2,000 calls, and prints how many it made.

It is deterministic: a fixed seed, schemathesis' deterministic generation, no example database
and one worker. With two workers, CPython once failed in the coverage phase with "SystemError:
AST constructor recursion depth mismatch" (two threads inspecting lambdas at once); one worker
removes that race, and the same calls are made on every run.

The positive-data check is left out on purpose: a body the schema allows can
still break a rule (a consent that is not this provider's, an invoice number used twice), and
the contract says that answers 404 or 422, which schemathesis would count as a refusal of
valid data.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from authlib.integrations.requests_client import OAuth2Session

from providers.service import PROVIDER_SCOPES
from tests.conftest import LiveServer
from tests.factories import World

MIN_CALLS = 2_000
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "missing_required_header",
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
    )
)


@pytest.fixture
def live_overrides() -> dict[str, object]:
    return {"rate_limit_api": "1000000/minute", "rate_limit_token": "1000000/minute"}


def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_document(
    live_server: LiveServer, db, tmp_path: Path
) -> None:
    from providers import service as providers

    world = World(db)
    world.approved_invoice()
    world.submit(number="WAITING-1")  # one paid-to-be, one waiting for the parent
    client, secret = providers.register_api_client(db, world.provider_user, name="Fuzzer", redirect_uris=[])
    oauth = OAuth2Session(client.client_id, secret, scope=" ".join(PROVIDER_SCOPES))
    token = oauth.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    executable = shutil.which("st", path=str(Path(sys.executable).parent)) or "st"
    report = tmp_path / "report.ndjson"
    result = subprocess.run(
        [
            executable,
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token['access_token']}",
            "--checks",
            CHECKS,
            "--max-examples",
            "150",
            "--seed",
            "20261123",
            "--generation-deterministic",  # implies no example database
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
            "--suppress-health-check",
            "all",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=tmp_path,  # its cache stays out of the working tree
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    calls = _count_calls(report)
    print(f"schemathesis made {calls} calls")  # shown with -s or -rA; asserted below
    assert calls >= MIN_CALLS, f"only {calls} calls were made\n{output[-3000:]}"


def _count_calls(report: Path) -> int:
    """The number of HTTP interactions schemathesis recorded in its NDJSON event stream."""
    total = 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished:
            total += len(finished.get("recorder", {}).get("interactions", {}))
    return total
