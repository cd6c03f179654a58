"""DWP staff's reports, exports and search at /finance: routes of the ``invoicing_finance`` blueprint."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from config.auth import StaffRole
from config.csv_files import csv_download
from config.errors import MalformedRequest
from config.extensions import request_session
from invoicing import queries, service
from invoicing.forms import ReportRangeForm, SearchForm
from invoicing.views.finance import ALL_STAFF, invoicing_finance
from staff.views.session import staff_required

REPORT_ROLES = (StaffRole.FINANCE_OFFICER, StaffRole.APPROVER, StaffRole.AUDITOR)
SEARCH_PAGE = 25


def _date_range() -> tuple[ReportRangeForm, queries.DateRange | None]:
    """The days asked for, or the last twelve months when nothing was asked."""
    if "start" not in request.args and "end" not in request.args:
        default = queries.last_twelve_months(service.today_in_london())
        form = ReportRangeForm(formdata=None, data={"start": default.start, "end": default.end})
        return form, default
    form = ReportRangeForm(formdata=request.args)
    if not form.validate():
        return form, None
    assert form.start.data is not None and form.end.data is not None
    return form, queries.DateRange(form.start.data, form.end.data)


def _range_args(within: queries.DateRange) -> dict[str, Any]:
    """The range as the date boxes send it (day, month, year), for the export links."""
    return {
        name: [str(day.day), str(day.month), str(day.year)]
        for name, day in (("start", within.start), ("end", within.end))
    }


@invoicing_finance.get("/reports")
@staff_required(*REPORT_ROLES)
def reports() -> ResponseReturnValue:
    form, within = _date_range()
    if within is None:
        return render_template("invoicing/finance_reports.html", form=form, within=None), 400
    db = request_session()
    return render_template(
        "invoicing/finance_reports.html",
        form=form,
        within=within,
        by_month=queries.spend_by_month(db, within),
        by_region=queries.spend_by_region(db, within),
        downloads=[
            (kind, url_for("invoicing_finance.export", kind=kind, **_range_args(within)))
            for kind in queries.EXPORTS
        ],
    )


@invoicing_finance.get("/reports/<any(batches, payments, invoices):kind>.csv")
@staff_required(*REPORT_ROLES)
def export(kind: str) -> ResponseReturnValue:
    form, within = _date_range()
    if within is None:
        return render_template("invoicing/finance_reports.html", form=form, within=None), 400
    header, rows = queries.export(request_session(), kind, within)
    return csv_download(f"{kind}-{within.start:%Y%m%d}-{within.end:%Y%m%d}.csv", header, rows)


@invoicing_finance.get("/search")
@staff_required(*ALL_STAFF)
def search() -> ResponseReturnValue:
    """One box for a payment reference, an invoice number, a provider or a parent."""
    form = SearchForm(formdata=request.args)
    words = (form.q.data or "").strip() if form.validate() else ""
    try:
        found = queries.search(request_session(), words, SEARCH_PAGE, request.args.get("cursor"))
    except MalformedRequest:
        abort(400)
    return render_template(
        "invoicing/finance_search.html",
        form=form,
        words=words,
        found=found,
        next_url=url_for(".search", q=words, cursor=found.next_cursor) if found.next_cursor else None,
        title=_("Search"),
    ), 400 if form.errors else 200
