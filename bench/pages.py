"""The busiest pages with 1,000,000 invoices in PostgreSQL: the parent's period page, the provider's
invoice list and the finance review queue.

Set-up (not measured): 100 verified providers through the services (as in the batch benchmark),
then parents, children and consents written straight into the database, each child invoiced
once in each of its last 20 assessment periods: paid, then approved, confirmed or on hold in the
last two (one in ten on hold, so the review queue holds thousands).

Each page is requested (through the app, signed in as that person) by many different people or
with different filters; p95 is measured first with 20,000 invoices (the baseline, same run) and
again with 1,000,000. Goal: p95 at most 50 ms with 1,000,000. (That the number of queries per page
does not grow with the data is a test: tests/test_query_counts.py.)
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import g
from sqlalchemy import text

from bench.batch import PROVIDERS, set_up_providers
from bench.common import engine_for, fresh_database, percentile
from invoicing.entitlement import assessment_period
from invoicing.service import today_in_london

INVOICES = int(os.environ.get("BENCH_PAGE_INVOICES", "1000000"))
PERIODS = 20  # invoices per child: one in each of its last 20 assessment periods
BASELINE_INVOICES = 20_000
REQUESTS = int(os.environ.get("BENCH_PAGE_REQUESTS", "200"))
CLAIM_START = date(2025, 1, 15)

SEED = [
    """
    INSERT INTO parents (id, name, email, oidc_subject, uc_claim_reference, nino_hash, nino_last,
        claim_start_date, created_at, updated_at)
    SELECT md5('parent' || g)::uuid, 'Parent ' || g, 'parent' || g || '@pages.example', 'pages-' || g,
        'UCP' || g, md5('nino' || g), '000A', :claim_start, now(), now()
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
    """,
    """
    INSERT INTO children (id, parent_id, first_name, last_name, date_of_birth, disabled, created_at,
        updated_at)
    SELECT md5('child' || g)::uuid, md5('parent' || g)::uuid, 'Kit', 'Child ' || g, DATE '2023-05-04', false,
        now(), now()
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
    """,
    """
    INSERT INTO consents (id, parent_id, child_id, provider_id, status, authorised_at, expires_at, version,
        created_at, updated_at)
    SELECT md5('consent' || g)::uuid, md5('parent' || g)::uuid, md5('child' || g)::uuid, p.id, 'authorised',
        now(), now() + interval '1 year', 1, now(), now()
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM providers) AS p ON p.n = g % :providers
    """,
    """
    INSERT INTO invoices (id, provider_id, consent_id, child_id, parent_id, invoice_number, issued_on,
        care_from, care_to, status, total_pence, eligible_pence, dwp_pence, claimant_pence, ap_start, ap_end,
        flags, source, reminders_sent, version, created_at, updated_at)
    SELECT gen_random_uuid(), c.provider_id, c.id, c.child_id, c.parent_id, 'P' || g || '-' || m, ap.start,
        ap.start, ap.start + 27, CASE
            WHEN m < :periods - 2 THEN 'paid'
            WHEN g % 10 = 0 THEN 'on_hold'
            WHEN m = :periods - 2 THEN 'approved'
            ELSE 'confirmed' END,
        100000, 100000, 85000, 15000, ap.start, (ap.start + interval '1 month')::date - 1,
        CASE WHEN g % 10 = 0 AND m >= :periods - 2 THEN '["over_cap"]'::jsonb ELSE '[]'::jsonb END, 'api', 0,
        1, ap.start + interval '3 days' + g * interval '1 second',
        ap.start + interval '4 days' + g * interval '1 second'
    FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS g
    JOIN consents AS c ON c.id = md5('consent' || g)::uuid
    CROSS JOIN generate_series(0, CAST(:periods AS integer) - 1) AS m
    CROSS JOIN LATERAL (
        SELECT (CAST(:current AS date) - (:periods - 1 - m) * interval '1 month')::date AS start
    ) AS ap
    """,
]


def _seed(url: str, first: int, last: int) -> None:
    current, _ = assessment_period(CLAIM_START, today_in_london())
    with engine_for(url).begin() as connection:
        for statement in SEED:
            connection.execute(
                text(statement),
                {
                    "first": first,
                    "last": last,
                    "providers": PROVIDERS,
                    "periods": PERIODS,
                    "claim_start": CLAIM_START,
                    "current": current,
                },
            )
    with engine_for(url).connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _p95(app: Any, sign_in: Callable[[Any], str]) -> float:
    """p95 in ms of ``REQUESTS`` requests, each by a fresh client signed in by ``sign_in``."""
    latencies = []
    with app.app_context():
        for _ in range(REQUESTS):
            client = app.test_client()
            path = sign_in(client)
            started = time.perf_counter()
            answer = client.get(path)
            latencies.append(time.perf_counter() - started)
            assert answer.status_code == 200, (path, answer.status_code)
            session = g.pop("db_session", None)  # the app context outlives the request here
            if session is not None:
                session.close()
    return percentile(latencies, 0.95) * 1000


def _people(url: str) -> tuple[str, str]:
    """The admin of the provider with the most invoices (second factor set up) and a caseworker."""
    with engine_for(url).begin() as connection:
        connection.execute(text("UPDATE provider_users SET totp_secret = 'JBSWY3DPEHPK3PXP'"))
        user = connection.execute(
            text(
                "SELECT u.id FROM provider_users u JOIN providers p ON p.id = u.provider_id "
                "ORDER BY (SELECT count(*) FROM invoices i WHERE i.provider_id = p.id) DESC LIMIT 1"
            )
        ).scalar_one()
        staff = connection.execute(
            text("SELECT id FROM staff_users WHERE CAST(roles AS text) LIKE '%caseworker%'")
        ).scalar_one()
    return str(user), str(staff)


def _measure(app: Any, url: str, parents: int) -> dict[str, float]:
    user_id, staff_id = _people(url)
    current, _ = assessment_period(CLAIM_START, today_in_london())

    def as_parent(path: str) -> Callable[[Any], str]:
        def sign_in(client: Any) -> str:
            with client.session_transaction() as cookie:
                cookie["parent_id"] = str(_uuid_of("parent", random.randint(1, parents)))  # noqa: S311
            return path

        return sign_in

    def as_provider(paths: list[str]) -> Callable[[Any], str]:
        def sign_in(client: Any) -> str:
            with client.session_transaction() as cookie:
                cookie["provider_user_id"] = user_id
                cookie["provider_signed_in_at"] = 9e12
            return random.choice(paths)  # noqa: S311

        return sign_in

    def as_caseworker(client: Any) -> str:
        with client.session_transaction() as cookie:
            cookie["staff_id"] = staff_id
        return "/finance/queue"

    months = [f"{current.year}-{current.month:02d}", "2026-01", "2025-09"]
    return {
        "parent's period page": _p95(app, as_parent(f"/account/periods/{current.isoformat()}")),
        "provider's invoice list": _p95(
            app,
            as_provider(
                ["/provider/invoices", "/provider/invoices?status=paid", "/provider/invoices?status=on_hold"]
                + [f"/provider/invoices?period={month}" for month in months]
            ),
        ),
        "finance review queue": _p95(app, as_caseworker),
    }


def _uuid_of(kind: str, n: int) -> str:
    """The id the seed gave the n-th parent (``md5(kind || n)::uuid``)."""
    return str(uuid.UUID(hashlib.md5(f"{kind}{n}".encode()).hexdigest()))  # noqa: S324 - an id, not security


def main() -> None:
    parents_small = BASELINE_INVOICES // PERIODS
    parents_large = INVOICES // PERIODS
    with fresh_database("pages") as url:
        app, _officer, _approver = set_up_providers(url)
        _seed(url, 1, parents_small)
        baseline = _measure(app, url, parents_small)
        _seed(url, parents_small + 1, parents_large)
        with engine_for(url).connect() as connection:
            total = connection.execute(text("SELECT count(*) FROM invoices")).scalar_one()
        ours = _measure(app, url, parents_large)
    print(f"{total:,} invoices; {REQUESTS} requests per page, p95 in ms")
    for page, p95 in ours.items():
        ratio = p95 / baseline[page] if baseline[page] else float("inf")
        print(
            f"{page}: {p95:.1f} ms with {total:,}, baseline {baseline[page]:.1f} ms with "
            f"{BASELINE_INVOICES:,}: ratio {ratio:.2f} (goal: p95 <= 50 ms)"
        )


if __name__ == "__main__":
    main()
