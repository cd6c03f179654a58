"""A scheduler killed at a random point while it pays a batch, then restarted: every payment once.

The job runs in a real separate process (``flask jobs run submit-approved-batches``) against the
same PostgreSQL database and the Stripe-compatible test server; it is killed with SIGKILL at a
random moment (before, during or after its calls to Stripe), then run again to the end. Repeated
several times in one run, each time with a new batch.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from invoicing.models import Payment, PaymentStatus
from invoicing.rails.stripe import StripeRail
from invoicing.service import sending
from tests.factories import World
from tests.stripe_server import API_KEY, stripe_server

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 6
PROVIDERS = 6


def run_job(env: dict[str, str], kill_when: Callable[[], bool] | None = None) -> int | None:
    """Run the job in its own process; SIGKILL it as soon as ``kill_when()`` says so."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run", "submit-approved-batches"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if kill_when is not None:
        while process.poll() is None and not kill_when():
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=120)
    return process.returncode


@pytest.mark.postgres_only
def test_a_killed_scheduler_leaves_every_payment_sent_exactly_once(session) -> None:
    database_url = session.get_bind().url.render_as_string(hide_password=False)
    accounts = {f"acct_kill{n}" for n in range(ROUNDS * PROVIDERS)}
    chance = random.Random(20261123)
    with stripe_server(accounts) as (url, state):
        state.latency = 0.15  # each call takes a while, so kills land mid-batch too
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "kill-and-restart-test-secret-key-0123456789",
            "APP_ENV": "test",
            "STRIPE_API_KEY": API_KEY,
            "STRIPE_API_BASE": url,
        }
        killed_mid_batch = 0
        for round_number in range(ROUNDS):
            batch_payment_ids = []
            for n in range(PROVIDERS):
                world = World(session, stripe_account=f"acct_kill{round_number * PROVIDERS + n}")
                world.approved_invoice()
                batch = world.approved_batch()
                batch_payment_ids += [p.id for p in batch.payments]
            before = len(state.transfers)
            # A random point: after k of the batch's transfers (k = 0: while it starts up),
            # plus a random part of one Stripe call, so some kills land between Stripe's answer
            # and our record of it.
            k = chance.randint(0, PROVIDERS - 1)
            deadline = time.monotonic() + chance.uniform(0.3, 1.5)
            jitter = chance.uniform(0, state.latency)

            def kill_now(
                k: int = k, deadline: float = deadline, jitter: float = jitter, before: int = before
            ) -> bool:
                if k == 0:
                    return time.monotonic() >= deadline
                if len(state.transfers) - before < k:
                    return False
                time.sleep(jitter)
                return True

            run_job(env, kill_when=kill_now)
            made_before_restart = len(state.transfers) - before
            killed_mid_batch += 0 < made_before_restart < len(batch_payment_ids)
            assert run_job(env) == 0
            # A kill can not leave a payment unknown (no fault was injected), but resolve anyway.
            sending.resolve_unknown_payments(session, StripeRail(API_KEY, api_base=url))
            session.expire_all()
            for payment_id in batch_payment_ids:
                payment = session.get_one(Payment, payment_id)
                assert payment.status is PaymentStatus.SENT, (round_number, payment.status)
                assert len(state.transfers_for(str(payment_id))) == 1, round_number
        assert killed_mid_batch >= 1, "no kill landed part way through a batch: tune the timing"
        all_payments = session.scalars(select(Payment.id)).all()
        assert len(state.transfers) == len(all_payments)
