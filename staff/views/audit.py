"""The auditor's page at /finance/audit: the latest signed checkpoint of the audit chain, a
verification on demand, and exports of events by date range and entity (CSV or JSON), each
verification and download recorded in the log itself."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from config import audit_export, settings, words
from config.auth import StaffRole
from config.csv_files import csv_download
from config.errors import DomainError
from config.extensions import request_session
from config.forms import ConfirmForm, show_errors
from staff.forms import AuditExportForm
from staff.views.session import staff_required

staff_audit = Blueprint("staff_audit", __name__, url_prefix="/finance/audit", template_folder="../templates")


@staff_audit.get("")
@staff_required(StaffRole.AUDITOR)
def index() -> ResponseReturnValue:
    return _page(AuditExportForm(formdata=None))


@staff_audit.post("/verify")
@staff_required(StaffRole.AUDITOR)
def verify() -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return _page(AuditExportForm(formdata=None))
    form = AuditExportForm(formdata=None)
    try:
        result = audit_export.verify_now(request_session(), g.actor, settings.current())
    except DomainError as error:
        show_errors(form, error)
        return _page(form, status=error.status)
    return _page(form, verification=result)


@staff_audit.get("/export")
@staff_required(StaffRole.AUDITOR)
def export() -> ResponseReturnValue:
    form = AuditExportForm(formdata=request.args)
    kinds = _offer_kinds(form)
    valid = form.validate()
    if form.entity_type.data and form.entity_type.data not in kinds:
        form.entity_type.errors = [*form.entity_type.errors, _("Select a kind of record from the list")]
        valid = False
    if valid:
        wanted = audit_export.ExportRequest(
            start=form.start.data or date.min,
            end=form.end.data or date.min,
            entity_type=(form.entity_type.data or "").strip(),
            entity_id=(form.entity_id.data or "").strip(),
            format=form.format.data or "csv",
        )
        try:
            rows = audit_export.export_events(request_session(), g.actor, wanted)
        except DomainError as error:
            show_errors(form, error)
        else:
            return _download(wanted, rows)
    return _page(form, status=400, offered=True)


def _download(wanted: audit_export.ExportRequest, rows: list[dict[str, object]]) -> Response:
    name = f"audit-events-{wanted.start:%Y%m%d}-{wanted.end:%Y%m%d}"
    if wanted.format == "json":
        return Response(
            json.dumps({"events": rows}, indent=2, sort_keys=True, default=str),
            mimetype="application/json",
            headers={
                "Content-Disposition": f'attachment; filename="{name}.json"',
                "Cache-Control": "no-store",
            },
        )
    return csv_download(f"{name}.csv", list(audit_export.COLUMNS), audit_export.as_csv_rows(rows))


def _offer_kinds(form: AuditExportForm) -> list[str]:
    """The kinds of record the log holds, as choices a person can read ("Payment batches")."""
    kinds = audit_export.entity_types(request_session())
    named = sorted((words.words(kind, "record_kind"), kind) for kind in kinds)
    form.entity_type.choices = [SelectChoice("", _("Every kind of record"))] + [
        SelectChoice(kind, name) for name, kind in named
    ]
    return kinds


def _page(
    form: AuditExportForm, *, verification: object = None, status: int = 200, offered: bool = False
) -> ResponseReturnValue:
    checkpoint, count, unavailable = audit_export.latest(settings.current())
    db = request_session()
    if not offered:  # the export has read the log's kinds already
        _offer_kinds(form)
    return render_template(
        "staff/audit.html",
        form=form,
        confirm=ConfirmForm(),
        checkpoint=checkpoint,
        checkpoints=count,
        unavailable=unavailable,
        head=audit_export.head_seq(db),
        verification=verification,
    ), status
