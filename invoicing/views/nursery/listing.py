"""The nursery's invoice list: filtered by status, child's name and month of care (a GET form, so
it works without JavaScript), with the totals of everything the filter picks and its CSV export."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _

from config.csv_files import csv_download
from config.database import utcnow
from config.errors import MalformedRequest
from config.extensions import request_session
from config.formatting import london_date
from invoicing import queries
from invoicing.labels import NURSERY_STATUS, STATUS_TAG_COLOURS
from invoicing.models import WITHDRAWN, InvoiceStatus
from invoicing.queries import nursery as nursery_queries
from invoicing.service import today_in_london
from invoicing.views.nursery import invoicing_nursery
from providers.views.session import provider_required

PAGE_SIZE = 50


def _pounds(pence: int) -> str:
    """Pounds as a spreadsheet reads a number: ``1234.50`` (no £, no thousands comma)."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def _wanted() -> tuple[queries.InvoiceFilter, str | None]:
    """The filter the query string asks for, and what is wrong with it (a month that is not one)."""
    status = request.args.get("status")
    # A name to search for, not a list to pick from: a large nursery has hundreds of children.
    name = " ".join((request.args.get("name") or "").split())[:100]
    month, error = None, None
    period = (request.args.get("period") or "").strip()
    if period:
        try:
            year, number = (int(part) for part in period.split("-"))
            month = date(year, number, 1)
        except ValueError:
            error = _("Enter the month as year and month, like 2026-10")
    wanted = queries.InvoiceFilter(
        InvoiceStatus(status) if status in {s.value for s in InvoiceStatus} else None, name, month
    )
    return wanted, error


@invoicing_nursery.get("/invoices")
@provider_required()
def invoices() -> ResponseReturnValue:
    """This provider's invoices, newest first, filtered by status, child's name and month of care."""
    wanted, error = _wanted()
    db = request_session()
    try:
        rows, next_cursor = queries.provider_invoices(
            db, g.actor.provider_id, wanted, PAGE_SIZE, request.args.get("cursor")
        )
    except MalformedRequest:
        abort(400)
    args = {k: v for k, v in request.args.items() if k != "cursor" and v}
    months = nursery_queries.care_months(db, g.actor.provider_id, today_in_london(utcnow()))
    return render_template(
        "invoicing/nursery_invoices.html",
        invoices=rows,
        children=queries.child_names(db, {row.child_id for row in rows}),
        status=NURSERY_STATUS,
        tag_colours=STATUS_TAG_COLOURS,
        withdrawn=WITHDRAWN,
        months=[(f"{m:%Y-%m}", format_date(m, "MMMM yyyy")) for m in months],
        totals=nursery_queries.invoice_totals(db, g.actor.provider_id, wanted),
        filtered=bool(wanted.status or wanted.name or wanted.month),
        filter_error=error,
        export_url=url_for(".export_invoices", **args),  # type: ignore[arg-type]
        next_url=url_for(".invoices", cursor=next_cursor, **args) if next_cursor else None,  # type: ignore[arg-type]
    ), 400 if error else 200


@invoicing_nursery.get("/invoices.csv")
@provider_required()
def export_invoices() -> ResponseReturnValue:
    """The filtered list as a CSV file: names, words and pounds, as the page shows them."""
    wanted, error = _wanted()
    if error:
        abort(400)
    header = [
        _("Invoice number"),
        _("Child"),
        _("Care from"),
        _("Care to"),
        _("Invoice date"),
        _("Status"),
        _("Total (£)"),
        _("DWP pays (£)"),
        _("Parent pays (£)"),
    ]

    def rows() -> Any:
        for invoice, child in nursery_queries.invoices_for_export(
            request_session(), g.actor.provider_id, wanted
        ):
            yield [
                invoice.invoice_number,
                child,
                london_date(invoice.care_from),
                london_date(invoice.care_to),
                london_date(invoice.issued_on),
                str(NURSERY_STATUS[invoice.status]),
                _pounds(invoice.total_pence),
                _pounds(0 if invoice.status in WITHDRAWN else invoice.dwp_pence),
                _pounds(0 if invoice.status in WITHDRAWN else invoice.claimant_pence),
            ]

    return csv_download(f"invoices-{today_in_london(utcnow()):%Y-%m-%d}.csv", header, rows())
