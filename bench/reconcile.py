"""Reconciling 100,000 sent Stripe payments against what Stripe holds.

Set-up (not measured): 100 verified providers with connected accounts (through the services, as
in the batch benchmark); 1,000 submitted batches of 100 payments each, every payment ``sent`` with
one invoice, written straight into the database; and the matching transfers put straight into the
Stripe-compatible test server (``tests/stripe_server.py``, the edge we cannot run for real), run
in a process of its own.

Ours: ``invoicing.reconciliation.reconcile_payments`` with the real Stripe SDK over HTTP: every transfer
group listed, each transfer compared field by field, every payment, invoice and batch moved
through the service layer with its audit events and webhooks. Baseline: the least any
reconciliation must do, in the same run: list the same transfers through the same SDK and mark
everything paid with two UPDATE statements. Goal: ours within 10 seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import stripe
from sqlalchemy import text

from bench.batch import PROVIDERS, set_up_providers
from bench.common import engine_for, fresh_database, report
from tests.stripe_server import API_KEY

ROOT = Path(__file__).resolve().parent.parent

PAYMENTS = int(os.environ.get("BENCH_PAYMENTS", "100000"))
BATCHES = max(1, PAYMENTS // PROVIDERS)

SEED = [
    """
    INSERT INTO payment_batches (id, status, payment_date, built_by_id, built_at, approved_by_id, approved_at,
        submitted_at, payment_count, invoice_count, total_pence, version, created_at, updated_at)
    SELECT gen_random_uuid(), 'submitted', DATE '2026-11-24', :officer, now(), :approver, now(), now(),
        :providers, :providers, 850 * :providers, 1, now(), now()
    FROM generate_series(1, :batches)
    """,
    """
    CREATE TEMPORARY TABLE bench_plan AS
    SELECT b.id AS batch_id, c.provider_id, c.id AS consent_id, c.child_id, c.parent_id,
        gen_random_uuid() AS invoice_id, gen_random_uuid() AS payment_id,
        row_number() OVER (ORDER BY b.id, c.provider_id) AS n
    FROM payment_batches b CROSS JOIN consents c
    """,
    """
    INSERT INTO invoices (id, provider_id, consent_id, child_id, parent_id, invoice_number, issued_on,
        care_from, care_to, status, total_pence, eligible_pence, dwp_pence, claimant_pence, ap_start, ap_end,
        flags, source, reminders_sent, version, created_at, updated_at)
    SELECT invoice_id, provider_id, consent_id, child_id, parent_id, 'R' || n, DATE '2026-11-01',
        DATE '2026-10-01', DATE '2026-10-28', 'batched', 1000, 1000, 850, 150,
        DATE '2026-10-15', DATE '2026-11-14', '[]'::jsonb, 'api', 0, 2, now(), now()
    FROM bench_plan
    """,
    """
    INSERT INTO payments (id, batch_id, provider_id, amount_pence, status, rail, reference,
        destination_stripe_account, rail_reference, sent_at, credit_pence, version, created_at, updated_at)
    SELECT p.payment_id, p.batch_id, p.provider_id, 850, 'sent', 'stripe', 'CCD' || lpad(n::text, 12, '0'),
        'acct_bench_' || pr.registration_number, 'tr_' || replace(p.payment_id::text, '-', ''), now(), 0, 2,
        now(), now()
    FROM bench_plan p JOIN providers pr ON pr.id = p.provider_id
    """,
    """
    INSERT INTO payment_allocations (id, payment_id, invoice_id, amount_pence, live)
    SELECT gen_random_uuid(), payment_id, invoice_id, 850, true FROM bench_plan
    """,
    "ANALYZE",
]


def _transfers(url: str) -> list[dict[str, object]]:
    """What Stripe would hold had each payment been sent: one transfer each, in its batch's group."""
    with engine_for(url).connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, batch_id, amount_pence, destination_stripe_account, rail_reference FROM payments"
            )
        ).all()
    return [
        {
            "id": row.rail_reference,
            "object": "transfer",
            "amount": row.amount_pence,
            "amount_reversed": 0,
            "created": int(time.time()),
            "currency": "gbp",
            "description": None,
            "destination": row.destination_stripe_account,
            "livemode": False,
            "metadata": {"batch_id": str(row.batch_id), "payment_id": str(row.id)},
            "reversed": False,
            "transfer_group": f"batch_{row.batch_id}",
        }
        for row in rows
    ]


@contextmanager
def stripe_in_its_own_process(transfers: list[dict[str, object]]) -> Iterator[str]:
    """The Stripe-compatible test server holding ``transfers``, in a process of its own (as Stripe
    is never in ours: its work must not share our interpreter); yields its address."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as held:
        held.writelines(json.dumps(transfer) + "\n" for transfer in transfers)
    server = subprocess.Popen(  # noqa: S603 - our own test server, fixed arguments
        [sys.executable, "-m", "tests.stripe_server", held.name], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(held.name)


def main() -> None:
    with fresh_database("reconcile") as url:
        app, officer, approver = set_up_providers(url)
        engine = engine_for(url)
        with engine.begin() as connection:
            for statement in SEED:
                connection.execute(
                    text(statement),
                    {
                        "officer": officer.staff_id,
                        "approver": approver.staff_id,
                        "providers": PROVIDERS,
                        "batches": BATCHES,
                    },
                )
        transfers = _transfers(url)
        groups = sorted({str(transfer["transfer_group"]) for transfer in transfers})
        with stripe_in_its_own_process(transfers) as base:
            # The baseline: read every transfer once, then mark everything paid (rolled back).
            started = time.perf_counter()
            client = stripe.StripeClient(
                API_KEY, base_addresses={"api": base}, http_client=stripe.RequestsClient()
            )
            listed = 0
            for group in groups:
                page = client.v1.transfers.list(params={"transfer_group": group, "limit": 100})
                listed += sum(1 for _ in page.auto_paging_iter())
            with engine.connect() as connection:
                transaction = connection.begin()
                connection.execute(
                    text("UPDATE payments SET status = 'paid', paid_at = now(), version = version + 1")
                )
                connection.execute(text("UPDATE invoices SET status = 'paid', version = version + 1"))
                transaction.rollback()
            baseline = time.perf_counter() - started
            assert listed == PAYMENTS, listed

            from config.extensions import database
            from invoicing.rails.stripe import StripeRail
            from invoicing.service import reconciliation

            with app.app_context(), database().session_factory() as session:
                started = time.perf_counter()
                counts = reconciliation.reconcile_payments(session, StripeRail(API_KEY, api_base=base))
                ours = time.perf_counter() - started
            assert counts == {"paid": PAYMENTS, "failed": 0, "breaks": 0}, counts
        with engine.connect() as connection:
            settled = connection.execute(
                text("SELECT count(*) FROM payment_batches WHERE status = 'settled'")
            ).scalar_one()
            paid = connection.execute(
                text("SELECT count(*) FROM invoices WHERE status = 'paid'")
            ).scalar_one()
        assert (settled, paid) == (BATCHES, PAYMENTS), (settled, paid)
    print(f"reconciled {PAYMENTS:,} payments in {BATCHES:,} batches: ours {ours:.2f} s")
    report("reconcile", ours, baseline, "s", "ours <= 10 s")


if __name__ == "__main__":
    main()
