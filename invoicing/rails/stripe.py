"""Stripe Connect: one transfer per payment to the provider's connected account (stripe 16, StripeClient).

The idempotency key is the payment id, so sending again after a crash or a lost answer returns
the first transfer instead of making a second. Each transfer carries ``transfer_group`` =
``batch_<id>`` and metadata naming the batch, the payment and its invoices, which is how a payment
whose answer was lost is found again (``look_up``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import stripe

from invoicing.rails import Answer, Order, Outcome, Record

CURRENCY = "gbp"
# Transfer groups listed at the same time: well inside Stripe's rate limit for reads (25 a second
# in test mode, 100 live), and each thread has its own connection (``RequestsClient``).
LISTINGS_AT_ONCE = 4


def transfer_group(order: Order) -> str:
    return f"batch_{order.batch_id}"


class StripeRail:
    def __init__(self, api_key: str, *, api_base: str | None = None, timeout: float = 20.0) -> None:
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=0,  # our own janitor retries, always with the same key
        )

    def send(self, order: Order) -> Answer:
        if not order.stripe_account:
            return Answer(Outcome.REFUSED, detail="the provider has no connected Stripe account")
        metadata = {
            "batch_id": str(order.batch_id),
            "payment_id": str(order.payment_id),
            "reference": order.reference,
            # Stripe metadata values are at most 500 characters.
            "invoices": ",".join(order.invoice_numbers)[:500],
        }
        try:
            transfer = self.client.v1.transfers.create(
                params={
                    "amount": order.amount_pence,
                    "currency": CURRENCY,
                    "destination": order.stripe_account,
                    "transfer_group": transfer_group(order),
                    "description": order.reference,
                    "metadata": metadata,
                },
                options={"idempotency_key": str(order.payment_id)},
            )
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            return Answer(Outcome.UNKNOWN, detail=f"no answer from Stripe: {type(exc).__name__}")
        except stripe.APIError as exc:  # a 5xx: Stripe may or may not have made the transfer
            return Answer(Outcome.UNKNOWN, detail=f"Stripe error: {exc.user_message or exc}")
        except (stripe.AuthenticationError, stripe.PermissionError):
            raise  # our keys are wrong, not the payment: the job fails and nothing is recorded
        except stripe.IdempotencyError as exc:  # our key with other parameters: never guess
            return Answer(Outcome.UNKNOWN, detail=f"idempotency conflict: {exc.user_message or exc}")
        except stripe.StripeError as exc:  # a 4xx: refused, nothing moved
            return Answer(Outcome.REFUSED, detail=str(exc.user_message or exc)[:500])
        return Answer(Outcome.ACCEPTED, rail_reference=transfer.id)

    def look_up(self, order: Order) -> Record | None:
        """The transfer Stripe holds for this payment, found by its batch's group and our metadata."""
        return self.look_up_many([order]).get(order.payment_id)

    def look_up_many(self, orders: Iterable[Order]) -> dict[uuid.UUID, Record]:
        """Stripe's transfers for these payments: each batch's transfer group is listed once, not once
        per payment, a few groups at a time (a day's 1,000 batches are 1,000 listings, each at least
        one round trip to Stripe). A payment with no transfer is left out."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for order in orders:
            wanted[transfer_group(order)].add(str(order.payment_id))
        found: dict[uuid.UUID, Record] = {}
        with ThreadPoolExecutor(max_workers=LISTINGS_AT_ONCE) as pool:
            listed = pool.map(lambda group: list(self._transfers_in(group)), wanted)
            for payment_ids, transfers in zip(wanted.values(), listed, strict=True):
                for transfer in transfers:
                    payment_id = (transfer.get("metadata") or {}).get("payment_id")
                    if payment_id in payment_ids:
                        found[uuid.UUID(payment_id)] = Record(
                            rail_reference=transfer["id"],
                            amount_pence=transfer["amount"],
                            currency=transfer["currency"],
                            destination=str(transfer["destination"]),
                            reversed=bool(transfer["reversed"]),
                        )
        return found

    def _transfers_in(self, group: str) -> Iterator[dict[str, Any]]:
        """Every transfer in a group, a page of 100 at a time, as plain JSON: the SDK's raw request
        (same keys, errors and retries) without building an object per transfer, which for
        100,000 transfers cost more than the requests."""
        params: dict[str, Any] = {"transfer_group": group, "limit": 100}
        while True:
            page = self.client.raw_request("get", "/v1/transfers", **params).data
            yield from page["data"]
            if not page["has_more"] or not page["data"]:
                return
            params["starting_after"] = page["data"][-1]["id"]


class BadSignature(Exception):
    pass


def verified_event(payload: bytes, signature_header: str, secret: str) -> dict[str, object]:
    """A Stripe webhook's event, once its ``Stripe-Signature`` is checked (5 minutes' tolerance)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise BadSignature(str(exc)) from exc
    return event.to_dict()
