"""The Stripe Connect rail, through the real stripe SDK over HTTP to the Stripe-compatible test server.

Every fault ends in paid, failed, or unknown-then-resolved: never two transfers, never none.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
import stripe
from sqlalchemy import select

from config import settings
from config.notify import Notification
from config.scheduler import run_job
from invoicing.models import (
    BatchStatus,
    InvoiceStatus,
    Payment,
    PaymentBatch,
    PaymentStatus,
    ReconciliationBreak,
)
from invoicing.rails.stripe import StripeRail
from invoicing.service import reconciliation, sending
from tests.factories import World
from tests.stripe_server import API_KEY, StripeState, stripe_server

ACCOUNT = "acct_1TestNursery"


@pytest.fixture
def stripe_test() -> Iterator[tuple[str, StripeState]]:
    with stripe_server({ACCOUNT}) as served:
        yield served


def rail_for(stripe_test, timeout: float = 5.0) -> StripeRail:
    return StripeRail(API_KEY, api_base=stripe_test[0], timeout=timeout)


def submitted_world(session) -> tuple[World, PaymentBatch]:
    world = World(session, stripe_account=ACCOUNT)
    world.approved_invoice()
    batch = world.approved_batch()
    return world, batch


def payment_of(session, batch: PaymentBatch) -> Payment:
    session.expire_all()
    return session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()


def test_an_approved_batch_is_paid_by_one_transfer_and_reconciled(session, stripe_test) -> None:
    _, state = stripe_test
    _, batch = submitted_world(session)
    rail = rail_for(stripe_test)
    counts = sending.submit_approved_batches(session, rail)
    assert counts == {"batches": 1, "tampered": 0, "sent": 1}
    payment = payment_of(session, batch)
    transfers = state.transfers_for(str(payment.id))
    assert len(transfers) == 1
    transfer = transfers[0]
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (
        payment.amount_pence,
        "gbp",
        ACCOUNT,
    )
    assert transfer["transfer_group"] == f"batch_{batch.id}"
    assert transfer["metadata"]["batch_id"] == str(batch.id)
    assert transfer["metadata"]["invoices"]  # the invoice numbers it pays
    assert state.idempotency and str(payment.id) in state.idempotency  # the key is the payment id
    assert (payment.status, payment.rail_reference) == (PaymentStatus.SENT, transfer["id"])

    assert sending.submit_approved_batches(session, rail) == {"batches": 0, "tampered": 0}  # nothing twice
    assert reconciliation.reconcile_payments(session, rail) == {"paid": 1, "failed": 0, "breaks": 0}
    payment = payment_of(session, batch)
    assert payment.status is PaymentStatus.PAID
    assert {a.invoice.status for a in payment.allocations} == {InvoiceStatus.PAID}
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.SETTLED
    assert len(state.transfers) == 1


@pytest.mark.parametrize(
    "fault", ["error_before", "error_after", "drop_before", "drop_after", "timeout_after"]
)
def test_a_rail_fault_ends_in_one_transfer_after_the_janitor(session, stripe_test, fault: str) -> None:
    _, state = stripe_test
    _, batch = submitted_world(session)
    rail = rail_for(stripe_test, timeout=1.0)
    state.faults.append(fault)
    counts = sending.submit_approved_batches(session, rail)
    assert counts["unknown"] == 1, counts  # no answer: never guessed either way
    payment = payment_of(session, batch)
    assert payment.status is PaymentStatus.UNKNOWN
    made = len(state.transfers_for(str(payment.id)))
    assert made == (1 if fault.endswith("after") else 0)

    assert sending.resolve_unknown_payments(session, rail) == {"sent": 1}
    payment = payment_of(session, batch)
    assert payment.status is PaymentStatus.SENT
    assert len(state.transfers_for(str(payment.id))) == 1  # found, or sent again with the same key
    reconciliation.reconcile_payments(session, rail)
    assert payment_of(session, batch).status is PaymentStatus.PAID


def test_a_refused_transfer_fails_the_payment_and_its_invoices_wait_for_the_next_batch(
    session, stripe_test
) -> None:
    world = World(session, stripe_account="acct_unknown")
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    counts = sending.submit_approved_batches(session, rail_for(stripe_test))
    assert counts["failed"] == 1
    payment = payment_of(session, batch)
    assert payment.status is PaymentStatus.FAILED and "No such destination" in payment.failure_reason
    session.refresh(invoice)
    assert invoice.status is InvoiceStatus.PAYMENT_FAILED
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.PARTIALLY_FAILED
    told = session.scalars(select(Notification).where(Notification.template == "payment_failed")).one()
    assert told.email == world.provider.users[0].email  # the provider is told, as well as shown


def test_a_disagreement_with_stripe_opens_one_break_and_pays_nothing(session, stripe_test) -> None:
    _, state = stripe_test
    _, batch = submitted_world(session)
    rail = rail_for(stripe_test)
    sending.submit_approved_batches(session, rail)
    payment = payment_of(session, batch)
    state.tamper(payment.rail_reference, amount=payment.amount_pence + 1)
    assert reconciliation.reconcile_payments(session, rail)["breaks"] == 1
    assert reconciliation.reconcile_payments(session, rail)["breaks"] == 0  # already open: not opened again
    item = session.scalars(select(ReconciliationBreak)).one()
    assert (item.kind, item.expected, item.actual) == (
        "amount_pence",
        {"amount_pence": payment.amount_pence},
        {"amount_pence": payment.amount_pence + 1},
    )
    assert payment_of(session, batch).status is PaymentStatus.SENT


def test_a_reversed_transfer_fails_the_payment(session, stripe_test) -> None:
    _, state = stripe_test
    _, batch = submitted_world(session)
    rail = rail_for(stripe_test)
    sending.submit_approved_batches(session, rail)
    state.reverse(payment_of(session, batch).rail_reference)
    assert reconciliation.reconcile_payments(session, rail)["failed"] == 1
    assert payment_of(session, batch).status is PaymentStatus.FAILED


def test_the_test_server_keeps_stripes_idempotency_rules(stripe_test) -> None:
    url, state = stripe_test
    client = stripe.StripeClient(API_KEY, base_addresses={"api": url}, max_network_retries=0)
    params = {"amount": 100, "currency": "gbp", "destination": ACCOUNT}
    first = client.v1.transfers.create(params=params, options={"idempotency_key": "k1"})
    again = client.v1.transfers.create(params=params, options={"idempotency_key": "k1"})
    assert first.id == again.id and len(state.transfers) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.transfers.create(params={**params, "amount": 101}, options={"idempotency_key": "k1"})
    with pytest.raises(stripe.AuthenticationError):
        stripe.StripeClient("sk_wrong", base_addresses={"api": url}).v1.transfers.list()


@pytest.mark.postgres_only
def test_two_schedulers_at_once_pay_each_payment_once(
    session, session_factory, stripe_test, monkeypatch
) -> None:
    url, state = stripe_test
    for n in range(4):
        world = World(session, stripe_account=ACCOUNT if n == 0 else f"acct_two{n}")
        state.accounts.add(f"acct_two{n}")
        world.approved_invoice()
        world.approved_batch()
    state.latency = 0.1
    current = settings.current()
    monkeypatch.setattr(settings, "_current", replace(current, stripe_api_key=API_KEY, stripe_api_base=url))
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def scheduler() -> None:
        barrier.wait()
        outcomes.append(run_job(session_factory, "submit-approved-batches").outcome)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["skipped", "succeeded"]  # the second waited its turn: no double work
    session.expire_all()
    sent = session.scalars(select(Payment)).all()
    assert {p.status for p in sent} == {PaymentStatus.SENT}
    assert all(len(state.transfers_for(str(p.id))) == 1 for p in sent) and len(state.transfers) == 4


def test_wrong_stripe_keys_fail_the_job_and_touch_no_payment(session, stripe_test) -> None:
    _, batch = submitted_world(session)
    wrong = StripeRail("sk_test_wrong", api_base=stripe_test[0])
    with pytest.raises(stripe.AuthenticationError):
        sending.submit_approved_batches(session, wrong)
    assert payment_of(session, batch).status is PaymentStatus.CREATED  # sent later, once keys are right
