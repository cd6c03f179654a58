"""API v1: invoices (API.md). Another provider's invoice is simply not found."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from flask import g, request
from sqlalchemy import select

from config import audit
from config.api import ApiBlueprint, PageQuerySchema
from config.errors import NotFound
from config.extensions import request_session
from config.pagination import page
from invoicing import service
from invoicing.models import CreditNote, Invoice, Payment, PaymentAllocation
from invoicing.schemas import (
    CancelSchema,
    CreditNoteInSchema,
    CreditNoteSchema,
    EventListSchema,
    IdempotencyHeaderSchema,
    InvoiceInSchema,
    InvoicePageSchema,
    InvoiceQuerySchema,
    InvoiceSchema,
    PaymentPageSchema,
    PaymentSchema,
)
from invoicing.service import Idempotency, InvoiceInput, LineInput
from providers.api_auth import requires_scope

invoicing_api = ApiBlueprint("invoicing_api", __name__, url_prefix="/api/v1", description="Invoices")


def _own_invoice(invoice_id: uuid.UUID) -> Invoice:
    invoice = request_session().get(Invoice, invoice_id)
    if invoice is None or invoice.provider_id != g.caller.actor.provider_id:
        raise NotFound("No invoice with that id")
    return invoice


@invoicing_api.post("/invoices")
@invoicing_api.arguments(IdempotencyHeaderSchema, location="headers", as_kwargs=True)
@invoicing_api.arguments(InvoiceInSchema)
@invoicing_api.response(201, InvoiceSchema)
@invoicing_api.alt_response(200, schema=InvoiceSchema, description="A replay of the same request")
@invoicing_api.doc(security=[{"oauth2": ["invoices:write"]}])
@invoicing_api.problems
@requires_scope("invoices:write")
def create_invoice(body: dict[str, Any], idempotency_key: str) -> tuple[Invoice, int]:
    """Submit an invoice; it waits for the parent to confirm it. Send an Idempotency-Key."""
    raw = request.get_json(silent=True)
    request_hash = hashlib.sha256(json.dumps(raw, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    data = InvoiceInput(
        consent_id=body["consent_id"],
        invoice_number=body["invoice_number"],
        issued_on=body["issued_on"],
        care_from=body["care_from"],
        care_to=body["care_to"],
        lines=tuple(
            LineInput(line["description"], line["amount_pence"], line["eligible"], line.get("hours"))
            for line in body["lines"]
        ),
        source="api",
    )
    caller = g.caller
    session = request_session()
    # The invoice as written is the answer (every column is set before it is written), so it is
    # not read back, with its lines, after the commit.
    session.expire_on_commit = False
    invoice, replayed = service.submit_invoice_once(
        session, caller.actor, data, Idempotency(caller.actor.id, idempotency_key, request_hash)
    )
    return invoice, 200 if replayed else 201


@invoicing_api.get("/invoices")
@invoicing_api.arguments(InvoiceQuerySchema, location="query", as_kwargs=True)
@invoicing_api.response(200, InvoicePageSchema)
@invoicing_api.doc(security=[{"oauth2": ["invoices:read"]}])
@invoicing_api.problems
@requires_scope("invoices:read")
def list_invoices(
    limit: int, cursor: str | None, status: Any = None, child_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """This provider's invoices, newest first; filter by status or child."""
    query = select(Invoice).where(Invoice.provider_id == g.caller.actor.provider_id)
    if status is not None:
        query = query.where(Invoice.status == status)
    if child_id is not None:
        query = query.where(Invoice.child_id == child_id)
    rows, next_cursor = page(request_session(), query, Invoice.created_at, Invoice.id, limit, cursor)
    return {"data": rows, "next_cursor": next_cursor}


@invoicing_api.get("/invoices/<uuid:invoice_id>")
@invoicing_api.response(200, InvoiceSchema)
@invoicing_api.doc(security=[{"oauth2": ["invoices:read"]}])
@invoicing_api.problems
@requires_scope("invoices:read")
def get_invoice(invoice_id: uuid.UUID) -> Invoice:
    return _own_invoice(invoice_id)


@invoicing_api.get("/invoices/<uuid:invoice_id>/events")
@invoicing_api.response(200, EventListSchema)
@invoicing_api.doc(security=[{"oauth2": ["invoices:read"]}])
@invoicing_api.problems
@requires_scope("invoices:read")
def invoice_events(invoice_id: uuid.UUID) -> dict[str, Any]:
    """The invoice's timeline, oldest first."""
    invoice = _own_invoice(invoice_id)
    return {"data": audit.events_for(request_session(), "invoices", invoice.id)}


@invoicing_api.post("/invoices/<uuid:invoice_id>/cancel")
@invoicing_api.arguments(CancelSchema, required=False)
@invoicing_api.response(200, InvoiceSchema)
@invoicing_api.doc(security=[{"oauth2": ["invoices:write"]}])
@invoicing_api.problems
@requires_scope("invoices:write")
def cancel_invoice(body: dict[str, Any], invoice_id: uuid.UUID) -> Invoice:
    """Cancel an invoice not yet batched (409 once it is)."""
    _own_invoice(invoice_id)
    return service.cancel_invoice(request_session(), g.caller.actor, invoice_id, body.get("reason", ""))


@invoicing_api.post("/invoices/<uuid:invoice_id>/credit-notes")
@invoicing_api.arguments(CreditNoteInSchema)
@invoicing_api.response(201, CreditNoteSchema)
@invoicing_api.doc(security=[{"oauth2": ["invoices:write"]}])
@invoicing_api.problems
@requires_scope("invoices:write")
def create_credit_note(body: dict[str, Any], invoice_id: uuid.UUID) -> tuple[CreditNote, int]:
    """After payment: DWP paid too much for this invoice; the amount comes off the next payment."""
    _own_invoice(invoice_id)
    note = service.issue_credit_note(
        request_session(), g.caller.actor, invoice_id, body["amount_pence"], body["reason"]
    )
    return note, 201


@dataclass(frozen=True)
class _Remittance:
    """A payment as the provider sees it: which invoices it pays, and how much of each."""

    id: uuid.UUID
    batch_id: uuid.UUID
    amount_pence: int
    status: Any
    rail: Any
    reference: str
    sent_at: Any
    paid_at: Any
    credit_pence: int
    allocations: list[dict[str, Any]]


def _remittances(payments: list[Payment]) -> list[_Remittance]:
    """Allocations and invoice numbers for a page of payments in two queries, not one per payment."""
    by_payment: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if payments:
        rows = request_session().execute(
            select(
                PaymentAllocation.payment_id,
                PaymentAllocation.invoice_id,
                Invoice.invoice_number,
                PaymentAllocation.amount_pence,
            )
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(PaymentAllocation.payment_id.in_([p.id for p in payments]))
            .order_by(Invoice.invoice_number)
        )
        for payment_id, invoice_id, number, amount in rows:
            by_payment.setdefault(payment_id, []).append(
                {"invoice_id": invoice_id, "invoice_number": number, "amount_pence": amount}
            )
    return [
        _Remittance(
            p.id,
            p.batch_id,
            p.amount_pence,
            p.status,
            p.rail,
            p.reference,
            p.sent_at,
            p.paid_at,
            p.credit_pence,
            by_payment.get(p.id, []),
        )
        for p in payments
    ]


@invoicing_api.get("/payments")
@invoicing_api.arguments(PageQuerySchema, location="query", as_kwargs=True)
@invoicing_api.response(200, PaymentPageSchema)
@invoicing_api.doc(security=[{"oauth2": ["payments:read"]}])
@invoicing_api.problems
@requires_scope("payments:read")
def list_payments(limit: int, cursor: str | None) -> dict[str, Any]:
    """Payments to this provider, newest first, each with its remittance advice."""
    query = select(Payment).where(Payment.provider_id == g.caller.actor.provider_id)
    rows, next_cursor = page(request_session(), query, Payment.created_at, Payment.id, limit, cursor)
    return {"data": _remittances(list(rows)), "next_cursor": next_cursor}


@invoicing_api.get("/payments/<uuid:payment_id>")
@invoicing_api.response(200, PaymentSchema)
@invoicing_api.doc(security=[{"oauth2": ["payments:read"]}])
@invoicing_api.problems
@requires_scope("payments:read")
def get_payment(payment_id: uuid.UUID) -> _Remittance:
    payment = request_session().get(Payment, payment_id)
    if payment is None or payment.provider_id != g.caller.actor.provider_id:
        raise NotFound("No payment with that id")
    return _remittances([payment])[0]
