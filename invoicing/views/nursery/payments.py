"""The nursery's payments from DWP, with remittance advice (a page and a CSV)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import (
    abort,
    g,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from config.csv_files import csv_download
from config.errors import MalformedRequest
from config.extensions import request_session
from config.formatting import LONDON
from invoicing import labels, queries
from invoicing.queries import remittance
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
        statuses=labels.NURSERY_PAYMENT_STATUS,
        next_url=url_for(".payments", cursor=next_cursor) if next_cursor else None,
    )


def _remittance(payment_id: uuid.UUID) -> remittance.RemittanceAdvice:
    db = request_session()
    payment = queries.payment_of_provider(db, g.actor.provider_id, payment_id)
    return remittance.remittance_advice(db, payment)


@invoicing_nursery.get("/payments/<uuid:payment_id>")
@provider_required()
def payment(payment_id: uuid.UUID) -> ResponseReturnValue:
    advice = _remittance(payment_id)
    return render_template(
        "invoicing/nursery_payment.html",
        advice=advice,
        payment=advice.payment,
        status=labels.NURSERY_PAYMENT_STATUS[advice.payment.status],
        colour=labels.STATUS_TAG_COLOURS.get(advice.payment.status.value, "grey"),
    )


REMITTANCE_COLUMNS = [
    "payment_reference",
    "invoice_number",
    "child",
    "care_from",
    "care_to",
    "amount_pence",
    "amount_pounds",
    "line",
    "child_date_of_birth",
    "paid_on",
    "payment_status",
    "credit_note_reason",
]


@invoicing_nursery.get("/payments/<uuid:payment_id>/remittance.csv")
@provider_required()
def remittance_csv(payment_id: uuid.UUID) -> ResponseReturnValue:
    """One row per invoice paid and per credit note taken off (negative), then a total row equal
    to the payment's amount; the paid date on every row (empty until it is paid)."""
    advice = _remittance(payment_id)
    item = advice.payment
    paid_on = advice.paid_at.astimezone(LONDON).date().isoformat() if advice.paid_at else ""
    status = item.status.value
    rows: list[list[object]] = [
        [
            item.reference,
            line.invoice_number,
            line.child_name,
            line.care_from.isoformat(),
            line.care_to.isoformat(),
            line.amount_pence,
            _pounds(line.amount_pence),
            line.kind.value,
            line.child_date_of_birth.isoformat(),
            paid_on,
            status,
            line.reason,
        ]
        for line in advice.lines
    ]
    rows.append(
        [
            item.reference,
            "",
            "",
            "",
            "",
            item.amount_pence,
            _pounds(item.amount_pence),
            "total",
            "",
            paid_on,
            status,
            "",
        ]
    )
    return csv_download(f"remittance-{item.reference.replace(' ', '-')}.csv", REMITTANCE_COLUMNS, rows)


def _pounds(pence: int) -> Decimal:
    """Pounds as a number a spreadsheet adds up (``-50.00``), exact: never a float."""
    return Decimal(pence).scaleb(-2)
