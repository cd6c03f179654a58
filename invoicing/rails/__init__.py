"""Payment rails behind one small interface: send a payment once, and read back the rail's own record.

A rail never decides what our records say: ``invoicing.payments`` turns its answers into state
changes through the service layer. ``send`` is idempotent by the payment id (the same id never
moves money twice); ``look_up`` reads what the rail itself holds, for reconciliation and for
resolving payments whose ``send`` got no answer; ``look_up_many`` reads many at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # the rail took it (Stripe: a transfer exists)
    REFUSED = "refused"  # the rail said no: nothing moved
    UNKNOWN = "unknown"  # no answer: it may or may not have moved


@dataclass(frozen=True)
class Order:
    """What a rail needs to pay one payment (a snapshot of the frozen batch)."""

    payment_id: uuid.UUID
    batch_id: uuid.UUID
    amount_pence: int
    reference: str
    stripe_account: str | None
    invoice_numbers: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    rail_reference: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Record:
    """The rail's own record of a payment, compared field by field in reconciliation."""

    rail_reference: str
    amount_pence: int
    currency: str
    destination: str
    reversed: bool


class PaymentRail(Protocol):
    def send(self, order: Order) -> Answer: ...

    def look_up(self, order: Order) -> Record | None: ...

    def look_up_many(self, orders: Iterable[Order]) -> dict[uuid.UUID, Record]: ...
