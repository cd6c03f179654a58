"""Every state of every life cycle, and every move between them, is recorded by ``config.transitions``.

The tables below are the specification: which moves each life cycle allows, which of them nursery
software hears about (the webhook event), and what that event carries. A state nobody can reach,
a move that sends the wrong event or an event with other data fails here.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

import claimants.service  # noqa: F401  (defines the consent life cycle)
import invoicing.service.transitions  # noqa: F401  (invoice, batch, payment)
import providers.service  # noqa: F401  (provider)
from config.errors import InvalidTransition
from config.transitions import MACHINES

EXPECTED: dict[str, dict[tuple[str, str], str | None]] = {
    "invoice": {
        ("submitted", "awaiting_confirmation"): None,
        ("submitted", "cancelled"): None,
        ("awaiting_confirmation", "confirmed"): "invoice.confirmed",
        ("awaiting_confirmation", "disputed"): "invoice.disputed",
        ("awaiting_confirmation", "cancelled"): None,
        ("confirmed", "approved"): "invoice.approved",
        ("confirmed", "on_hold"): None,
        ("confirmed", "rejected"): "invoice.rejected",
        ("confirmed", "cancelled"): None,
        ("disputed", "approved"): "invoice.approved",
        ("disputed", "on_hold"): None,
        ("disputed", "rejected"): "invoice.rejected",
        ("disputed", "cancelled"): None,
        ("on_hold", "approved"): "invoice.approved",
        ("on_hold", "rejected"): "invoice.rejected",
        ("on_hold", "cancelled"): None,
        ("approved", "batched"): None,
        ("approved", "nothing_to_pay"): None,
        ("approved", "on_hold"): None,
        ("approved", "cancelled"): None,
        ("batched", "paid"): None,
        ("batched", "payment_failed"): None,
        ("batched", "approved"): None,  # its batch was cancelled: not news to the nursery
        ("paid", "payment_failed"): None,
        ("payment_failed", "approved"): "invoice.approved",
    },
    "batch": {
        ("draft", "awaiting_approval"): None,
        ("draft", "cancelled"): None,
        ("awaiting_approval", "approved"): None,
        ("awaiting_approval", "cancelled"): None,
        ("approved", "submitted"): None,
        ("approved", "stopped"): None,
        ("approved", "cancelled"): None,
        ("stopped", "cancelled"): None,
        ("submitted", "settled"): None,
        ("submitted", "partially_failed"): None,
    },
    "payment": {
        ("created", "sent"): "payment.sent",
        ("created", "failed"): "payment.failed",
        ("created", "unknown"): None,
        ("unknown", "sent"): "payment.sent",
        ("unknown", "paid"): "payment.paid",
        ("unknown", "failed"): "payment.failed",
        ("sent", "paid"): "payment.paid",
        ("sent", "failed"): "payment.failed",
        ("paid", "returned"): "payment.failed",
    },
    "consent": {
        ("awaiting_authorisation", "authorised"): "consent.authorised",
        ("awaiting_authorisation", "rejected"): None,
        ("authorised", "revoked"): "consent.revoked",
        ("authorised", "expired"): None,
        ("expired", "authorised"): "consent.authorised",  # renewed by the parent after it ended
    },
    "provider": {("pending_verification", "active"): None},
}
ACTIONS = {("provider", "active"): "provider.verified"}
PAYLOADS = {
    "invoice": {"invoice_id", "invoice_number", "status"},
    "payment": {"payment_id", "amount_pence", "status"},
    "consent": {"consent_id", "child_id", "status"},
}


def test_every_life_cycle_is_specified_here() -> None:
    assert set(MACHINES) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_whitelist_is_exactly_the_specified_moves(name: str) -> None:
    machine = MACHINES[name]
    allowed = {(was.value, target.value) for was, targets in machine.allowed.items() for target in targets}
    assert allowed == set(EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_state_is_the_start_or_reached_by_some_move(name: str) -> None:
    machine = MACHINES[name]
    starts = {was for was, _ in EXPECTED[name]}
    reached = {target for _, target in EXPECTED[name]}
    initial = next(iter(machine.states)).value
    assert {state.value for state in machine.states} == starts | reached
    assert initial not in reached  # a life cycle never goes back to its start
    assert initial in starts


@pytest.mark.parametrize(
    "name, was, target", [(name, was, target) for name in EXPECTED for was, target in EXPECTED[name]]
)
def test_each_move_sends_the_specified_webhook_and_audit_action(name: str, was: str, target: str) -> None:
    machine = MACHINES[name]
    states = machine.states
    assert machine.event(states(was), states(target)) == EXPECTED[name][(was, target)]
    assert machine.action(states(target)) == ACTIONS.get((name, target), f"{name}.{target}")
    machine.check(states(was), states(target))  # allowed: no error


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_move_outside_the_whitelist_is_refused_in_words(name: str) -> None:
    machine = MACHINES[name]
    states = list(machine.states)
    refused = [(a, b) for a in states for b in states if (a.value, b.value) not in EXPECTED[name]]
    assert refused
    for was, target in refused:
        with pytest.raises(InvalidTransition) as error:
            machine.check(was, target)
        noun = machine.noun
        assert error.value.detail.startswith(("An " if noun[0] in "aeiou" else "A ") + noun + " that is ")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_what_each_webhook_carries(name: str) -> None:
    machine = MACHINES[name]
    announced = {event for event in EXPECTED[name].values() if event}
    if not announced:
        assert machine.payload is None or name not in PAYLOADS
        return
    assert machine.payload is not None and machine.queue is not None
    thing = SimpleNamespace(id=uuid.uuid4(), invoice_number="INV-1", amount_pence=123, child_id=uuid.uuid4())
    target = machine.states(next(t for (_w, t), e in EXPECTED[name].items() if e))
    data = machine.payload(thing, target)
    assert set(data) == PAYLOADS[name]
    assert data["status"] == target.value
    assert data[f"{name}_id"] == thing.id
