"""Building, approving and freezing a batch of 100,000 approved invoices and writing its Standard 18 file.

Ours: ``build_batch`` (cap re-decided per parent and period, one payment per provider, an
allocation and an audit event per invoice), ``request_batch_approval``, ``approve_batch``
(content hash) and the approver's Bacs file (submission, one credit per payment). Baseline: a
hand-written ``INSERT … SELECT`` doing the same grouping into payments and allocations and
marking the invoices batched, in one transaction. Goal: ours within 5 seconds.
"""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from sqlalchemy import text

from bench.common import bench_app, engine_for, fresh_database, live_consent, report, verified_provider

INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
PROVIDERS = 100


def set_up_providers(url: str) -> tuple[Any, Any, Any]:
    """The app, a finance officer and an approver; PROVIDERS verified providers, each with one parent's
    live consent (through the services)."""
    from config.auth import StaffRole
    from config.extensions import database
    from tests.factories import create_staff

    app = bench_app(url)
    with app.app_context(), database().session_factory() as session:
        caseworker = create_staff(session, StaffRole.CASEWORKER)
        checker = create_staff(session, StaffRole.CASEWORKER)
        for n in range(PROVIDERS):
            live_consent(session, verified_provider(session, checker, caseworker, n), n)
        officer = create_staff(session, StaffRole.FINANCE_OFFICER)
        approver = create_staff(session, StaffRole.APPROVER)
    return app, officer, approver


FILL = """
INSERT INTO invoices (id, provider_id, consent_id, child_id, parent_id, invoice_number, issued_on, care_from,
    care_to, status, total_pence, eligible_pence, dwp_pence, claimant_pence, ap_start, ap_end, flags, source,
    reminders_sent, version, created_at, updated_at)
SELECT gen_random_uuid(), c.provider_id, c.id, c.child_id, c.parent_id, 'B' || g, DATE '2026-11-01',
    DATE '2026-10-01' + (g % 20), DATE '2026-10-01' + (g % 20), 'approved', 1000, 1000, 850, 150,
    DATE '2026-10-15', DATE '2026-11-14', '[]'::jsonb, 'api', 0, 1, now(), now()
FROM generate_series(1, :count) AS g
JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, * FROM consents) AS c ON c.n = g % :providers
"""

NEW_BATCH = """
INSERT INTO payment_batches (id, status, payment_date, built_at, payment_count, invoice_count, total_pence,
    version, created_at, updated_at)
VALUES (gen_random_uuid(), 'draft', now(), now(), 0, 0, 0, 1, now(), now()) RETURNING id
"""

BASELINE = """
WITH grouped AS (
    SELECT provider_id, sum(dwp_pence) AS amount FROM invoices WHERE status = 'approved' GROUP BY provider_id
), made AS (
    INSERT INTO payments (id, batch_id, provider_id, amount_pence, status, rail, reference, credit_pence,
        version, created_at, updated_at)
    SELECT gen_random_uuid(), :batch, provider_id, amount, 'created', 'bacs', 'CCD BASE', 0, 1, now(), now()
    FROM grouped RETURNING id, provider_id
), allocated AS (
    INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_pence, live)
    SELECT gen_random_uuid(), made.id, i.id, i.dwp_pence, true
    FROM invoices i JOIN made ON made.provider_id = i.provider_id WHERE i.status = 'approved'
    RETURNING invoice_id
)
UPDATE invoices SET status = 'batched', version = version + 1 WHERE id IN (SELECT invoice_id FROM allocated)
"""


def main() -> None:
    with fresh_database("batch") as url:
        app, officer, approver = set_up_providers(url)
        engine = engine_for(url)
        with engine.begin() as connection:
            connection.execute(text(FILL), {"count": INVOICES, "providers": PROVIDERS})
            connection.execute(text("ANALYZE"))
        # The baseline, rolled back so our run starts from the same rows.
        with engine.connect() as connection:
            transaction = connection.begin()
            started = time.perf_counter()
            batch_id = connection.execute(text(NEW_BATCH)).scalar_one()
            connection.execute(text(BASELINE), {"batch": batch_id})
            baseline = time.perf_counter() - started
            transaction.rollback()

        from config.extensions import database
        from invoicing import service
        from invoicing.service import sending

        with app.app_context(), database().session_factory() as session:
            steps: list[tuple[str, float]] = []
            started = time.perf_counter()
            batch = service.build_batch(session, officer, payment_date=date(2026, 11, 24))
            assert batch is not None and batch.invoice_count == INVOICES, batch
            steps.append(("build", time.perf_counter()))
            service.request_batch_approval(session, officer, batch.id)
            steps.append(("ask for approval", time.perf_counter()))
            service.approve_batch(session, approver, batch.id)
            steps.append(("approve", time.perf_counter()))
            made = sending.make_bacs_file(session, approver, batch.id)
            steps.append(("write the Bacs file", time.perf_counter()))
            sending.record_bacs_file_submitted(session, approver, batch.id)
            steps.append(("record it submitted (payments sent)", time.perf_counter()))
            ours = time.perf_counter() - started
            before = started
            for label, at in steps:
                print(f"  {label}: {at - before:.2f} s")
                before = at
            assert made.content.count("\r\n") == PROVIDERS + 8
    print(f"batch of {INVOICES:,} invoices from {PROVIDERS} providers: ours {ours:.2f} s")
    report("build, approve and write the file", ours, baseline, "s", "ours <= 5 s")


if __name__ == "__main__":
    main()
