"""API v1: invoices (API.md). Another provider's invoice is simply not found."""

from __future__ import annotations

import uuid
from typing import Any

from flask import g, request

from config.api import (
    ApiBlueprint,
    IdempotencyHeaderSchema,
    OptionalIdempotencyHeaderSchema,
    PageQuerySchema,
)
from config.extensions import request_session
from invoicing import queries, service
from invoicing.models import CreditNote, Invoice
from invoicing.schemas import (
    CancelSchema,
    CreditNoteInSchema,
    CreditNoteSchema,
    EventListSchema,
    InvoiceInSchema,
    InvoicePageSchema,
    InvoiceQuerySchema,
    InvoiceSchema,
    PaymentPageSchema,
    PaymentSchema,
)
from invoicing.service import InvoiceInput, LineInput
from providers.api_auth import requires_scope
from providers.idempotency import Idempotency

invoicing_api = ApiBlueprint("invoicing_api", __name__, url_prefix="/api/v1", description="Invoices")


def _own_invoice(invoice_id: uuid.UUID) -> Invoice:
    return queries.invoice_of_provider(request_session(), g.caller.actor.provider_id, invoice_id)


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
    invoice, replayed = service.submit_invoice_once(
        session,
        caller.actor,
        data,
        Idempotency.of(caller.actor.id, idempotency_key, request.get_json(silent=True)),
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
    rows, next_cursor = queries.provider_invoices(
        request_session(),
        g.caller.actor.provider_id,
        queries.InvoiceFilter(status=status),
        limit,
        cursor,
        child_id=child_id,
    )
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
    return {"data": queries.public_timeline(request_session(), invoice)}


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
@invoicing_api.arguments(OptionalIdempotencyHeaderSchema, location="headers", as_kwargs=True)
@invoicing_api.arguments(CreditNoteInSchema)
@invoicing_api.response(201, CreditNoteSchema)
@invoicing_api.alt_response(200, schema=CreditNoteSchema, description="A replay of the same request")
@invoicing_api.doc(security=[{"oauth2": ["invoices:write"]}])
@invoicing_api.problems
@requires_scope("invoices:write")
def create_credit_note(
    body: dict[str, Any], invoice_id: uuid.UUID, idempotency_key: str | None
) -> tuple[CreditNote, int]:
    """After payment: DWP paid too much for this invoice; the amount comes off the next payment.
    Send an Idempotency-Key."""
    _own_invoice(invoice_id)
    session, actor = request_session(), g.caller.actor
    amount, reason = body["amount_pence"], body["reason"]
    if idempotency_key is None:
        return service.issue_credit_note(session, actor, invoice_id, amount, reason), 201
    request_body = {"invoice_id": str(invoice_id), "body": request.get_json(silent=True)}
    key = Idempotency.of(actor.id, idempotency_key, request_body, endpoint="credit_notes.create")
    note, replayed = service.issue_credit_note_once(session, actor, invoice_id, amount, reason, key)
    return note, 200 if replayed else 201


@invoicing_api.get("/payments")
@invoicing_api.arguments(PageQuerySchema, location="query", as_kwargs=True)
@invoicing_api.response(200, PaymentPageSchema)
@invoicing_api.doc(security=[{"oauth2": ["payments:read"]}])
@invoicing_api.problems
@requires_scope("payments:read")
def list_payments(limit: int, cursor: str | None) -> dict[str, Any]:
    """Payments to this provider, newest first, each with its remittance advice."""
    db = request_session()
    rows, next_cursor = queries.provider_payments(db, g.caller.actor.provider_id, limit, cursor)
    return {"data": queries.remittances(db, rows), "next_cursor": next_cursor}


@invoicing_api.get("/payments/<uuid:payment_id>")
@invoicing_api.response(200, PaymentSchema)
@invoicing_api.doc(security=[{"oauth2": ["payments:read"]}])
@invoicing_api.problems
@requires_scope("payments:read")
def get_payment(payment_id: uuid.UUID) -> queries.Remittance:
    db = request_session()
    payment = queries.payment_of_provider(db, g.caller.actor.provider_id, payment_id)
    return queries.remittances(db, [payment])[0]
