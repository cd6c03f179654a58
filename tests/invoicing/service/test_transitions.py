"""One payment recorded paid, and many recorded paid in bulk, leave exactly the same record:
the same audit events (action and data) for the payment and its invoices, and the same webhook.
Both go through ``config.transitions``; this is what that buys."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.audit import AuditEvent
from config.auth import SYSTEM
from invoicing import service
from invoicing.models import Payment, PaymentAllocation
from providers import service as providers_service
from providers.models import WebhookDelivery
from tests.invoicing.repository.test_bulk import _sent_batch


def _recorded(session: Session, payment: Payment) -> dict[str, Any]:
    """What paying ``payment`` recorded, with its own ids written as placeholders."""
    invoices = set(
        session.scalars(
            select(PaymentAllocation.invoice_id).where(PaymentAllocation.payment_id == payment.id)
        )
    )
    names = {str(payment.id): "<payment>", **{str(i): "<invoice>" for i in invoices}}

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        return names.get(str(value), value) if isinstance(value, str | uuid.UUID) else value

    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.entity_id.in_([str(payment.id), *map(str, invoices)]),
            AuditEvent.action.in_(["payment.paid", "invoice.paid"]),
        )
        .order_by(AuditEvent.seq)
    )
    hooks = session.scalars(
        select(WebhookDelivery).where(
            WebhookDelivery.provider_id == payment.provider_id, WebhookDelivery.event_type == "payment.paid"
        )
    )
    return {
        "events": sorted((event.action, event.actor_kind, str(plain(event.data))) for event in events),
        "webhooks": [(hook.event_type, plain(hook.payload["data"])) for hook in hooks],
    }


def test_one_payment_paid_and_many_paid_in_bulk_record_the_same_events_and_webhooks(session) -> None:
    worlds, _batch, sent = _sent_batch(session)
    for world in worlds:
        providers_service.register_api_client(
            session, world.provider_user, name="Soft", redirect_uris=[], webhook_url="https://example.com/h"
        )
    one, many = sent

    service.record_payment_paid(session, SYSTEM, one.id)
    assert service.record_payments_paid(session, SYSTEM, [many.id]) == 1

    alone, in_bulk = _recorded(session, one), _recorded(session, many)
    assert alone == in_bulk
    assert [action for action, _kind, _data in alone["events"]] == [
        "invoice.paid",
        "invoice.paid",
        "payment.paid",
    ]
    ((event_type, data),) = alone["webhooks"]
    assert event_type == "payment.paid" and data == {
        "payment_id": "<payment>",
        "amount_pence": one.amount_pence,
        "status": "paid",
    }
