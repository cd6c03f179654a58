"""DWP staff's page of the export to councils (/finance/councils): counts by local authority for
every child, and each authority's list of children whose parents agreed, as CSV. Every download
is audited by the use cases in ``claimants.council_export``."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue

from claimants import council_export
from claimants.early_years import thresholds_on
from config.csv_files import csv_download
from config.database import utcnow
from config.extensions import request_session
from config.forms import ConfirmForm
from providers.models import REGULATOR_NAMES
from staff.views.session import staff_required

claimants_finance = Blueprint(
    "claimants_finance", __name__, url_prefix="/finance/councils", template_folder="../templates"
)
LONDON = ZoneInfo("Europe/London")


def _today() -> date:
    return utcnow().astimezone(LONDON).date()


@claimants_finance.get("")
@staff_required(council_export.EXPORT_ROLE)
def councils() -> ResponseReturnValue:
    on = _today()
    return render_template(
        "claimants/finance_councils.html",
        export=council_export.build_export(request_session(), on),
        limits=thresholds_on(on),
        regulator_names=REGULATOR_NAMES,
        form=ConfirmForm(),
    )


@claimants_finance.post("/names")
@staff_required(council_export.EXPORT_ROLE)
def names() -> ResponseReturnValue:
    """One authority's named list (a POST: each download is recorded)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on = _today()
    rows, lines = council_export.download_names(
        request_session(), g.actor, request.form.get("authority") or "", on
    )
    filename = f"early-years-{rows.code}-{on.isoformat()}.csv"
    return csv_download(filename, council_export.NAMES_HEADER, lines)


@claimants_finance.post("/counts")
@staff_required(council_export.EXPORT_ROLE)
def counts() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    on = _today()
    lines = council_export.download_counts(request_session(), g.actor, on)
    return csv_download(f"early-years-counts-{on.isoformat()}.csv", council_export.COUNTS_HEADER, lines)
