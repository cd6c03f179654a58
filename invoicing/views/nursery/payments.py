"""The nursery's payments from DWP, with remittance advice (a page and a CSV)."""

from __future__ import annotations

import uuid

from flask import (
    abort,
    g,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from claimants.models import Child
from config.csv_files import csv_download
from config.errors import MalformedRequest
from config.extensions import request_session
from config.money import format_pence
from invoicing import queries
from invoicing.models import Invoice, Payment, PaymentAllocation
from invoicing.views.nursery import invoicing_nursery
from providers.views.session import provider_required

PAGE_SIZE = 50

# --- payments ---------------------------------------------------------------------------------


@invoicing_nursery.get("/payments")
@provider_required()
def payments() -> ResponseReturnValue:
    try:
        rows, next_cursor = queries.provider_payments(
            request_session(), g.actor.provider_id, PAGE_SIZE, request.args.get("cursor")
        )
    except MalformedRequest:
        abort(400)
    return render_template(
        "invoicing/nursery_payments.html",
        payments=rows,
        next_url=url_for(".payments", cursor=next_cursor) if next_cursor else None,
    )


def _remittance(payment_id: uuid.UUID) -> tuple[Payment, list[tuple[PaymentAllocation, Invoice, Child]]]:
    db = request_session()
    payment = queries.payment_of_provider(db, g.actor.provider_id, payment_id)
    return payment, queries.remittance_lines(db, payment)


@invoicing_nursery.get("/payments/<uuid:payment_id>")
@provider_required()
def payment(payment_id: uuid.UUID) -> ResponseReturnValue:
    item, lines = _remittance(payment_id)
    return render_template("invoicing/nursery_payment.html", payment=item, lines=lines)


@invoicing_nursery.get("/payments/<uuid:payment_id>/remittance.csv")
@provider_required()
def remittance_csv(payment_id: uuid.UUID) -> ResponseReturnValue:
    item, lines = _remittance(payment_id)
    return csv_download(
        f"remittance-{item.reference.replace(' ', '-')}.csv",
        [
            "payment_reference",
            "invoice_number",
            "child",
            "care_from",
            "care_to",
            "amount_paid_pence",
            "amount_paid",
        ],
        [
            [
                item.reference,
                invoice.invoice_number,
                f"{child.first_name} {child.last_name}",
                invoice.care_from.isoformat(),
                invoice.care_to.isoformat(),
                allocation.amount_pence,
                format_pence(allocation.amount_pence),
            ]
            for allocation, invoice, child in lines
        ],
    )
