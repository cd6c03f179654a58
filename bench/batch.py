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

from bench.common import engine_for, fresh_database, report

INVOICES = int(os.environ.get("BENCH_INVOICES", "100000"))
PROVIDERS = 100


def set_up_providers(url: str) -> tuple[Any, Any, Any]:
    """The app, a finance officer and an approver; PROVIDERS verified providers, each with one parent's
    live consent (through the services)."""
    from claimants import service as claimants
    from config.app import create_app
    from config.auth import StaffRole
    from config.extensions import database
    from config.settings import Settings
    from providers import service as providers
    from providers.accounts import user_actor
    from providers.models import Regulator
    from tests.factories import create_staff

    app = create_app(Settings(environment="test", database_url=url, secret_key="x" * 40))
    with app.app_context(), database().session_factory() as session:
        caseworker = create_staff(session, StaffRole.CASEWORKER)
        for n in range(PROVIDERS):
            provider = providers.register_provider(
                session,
                providers.Registration(
                    name=f"Bench Nursery {n}",
                    regulator=Regulator.OFSTED,
                    registration_number=f"EY{n:06d}",
                    postcode="LS1 4AP",
                    address="",
                    region="London",
                    bank=providers.BankDetails("089999", "66374958", f"Bench {n}"),
                    admin_name="Admin",
                    admin_email=f"admin{n}@bench.example",
                ),
            )
            providers.verify_provider(session, caseworker, provider.id)
            admin = user_actor(provider.users[0])
            parent = claimants.register_parent(
                session, name=f"Parent {n}", email=f"p{n}@bench.example", oidc_subject=f"b{n}"
            )
            actor = claimants.parent_actor(parent)
            claimants.link_claim(
                session,
                actor,
                claim_reference=f"UC{n}",
                nino=f"JK{n:06d}A",
                claim_start_date=date(2025, 1, 15),
            )
            child = claimants.add_child(
                session,
                actor,
                first_name="Kit",
                last_name=f"B{n}",
                date_of_birth=date(2023, 5, 4),
                disabled=False,
            )
            request = claimants.request_consent(
                session, admin, parent_email=f"p{n}@bench.example", child_first_name="Kit"
            )
            claimants.authorise_consent(session, actor, request.id, child.id)
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
        from invoicing import payments, service

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
            made = payments.bacs_file(session, approver, batch.id)
            steps.append(("write the Bacs file", time.perf_counter()))
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
