"""Invoices from a spreadsheet: the template, the check of every row, sending in the background."""

from __future__ import annotations

import contextvars
import threading
import uuid
from typing import Any

from flask import (
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from config.csv_files import csv_download
from config.errors import DomainError
from config.extensions import database, request_session
from config.forms import ConfirmForm, show_errors
from invoicing import spreadsheet
from invoicing.forms import UploadForm
from invoicing.service import uploads
from invoicing.views.nursery import invoicing_nursery
from providers.views.session import provider_required

# --- spreadsheet upload -----------------------------------------------------------------------


@invoicing_nursery.get("/invoices/upload/template.csv")
@provider_required()
def upload_template() -> ResponseReturnValue:
    return csv_download(
        "childcare-direct-invoices.csv", list(spreadsheet.COLUMNS), [list(spreadsheet.TEMPLATE_EXAMPLE)]
    )


@invoicing_nursery.route("/invoices/upload", methods=["GET", "POST"])
@provider_required()
def new_upload() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        file = form.file.data
        try:
            upload = uploads.check_upload(
                request_session(), g.actor, file.filename or "invoices.csv", file.read()
            )
        except spreadsheet.ColumnsRefused as error:
            form.file.errors = [_columns_message(error)]
        except DomainError as error:
            show_errors(form, error)
        else:
            return redirect(url_for(".upload", upload_id=upload.id))
    return render_template(
        "invoicing/nursery_upload.html", form=form
    ), 400 if form.errors or form.form_errors else 200


def _columns_message(error: spreadsheet.ColumnsRefused) -> Markup:
    """The columns are named as they must be typed in the file's first row: as code."""
    names = Markup(", ").join(Markup("<code>{}</code>").format(column) for column in error.columns)
    return Markup("{} {}").format(_(error.lead), names)


# The error summary links to each problem's row; past this many it links to the table instead.
SUMMARY_LIMIT = 20


@invoicing_nursery.get("/invoices/uploads/<uuid:upload_id>")
@provider_required()
def upload(upload_id: uuid.UUID) -> ResponseReturnValue:
    item = uploads.get_upload(request_session(), g.actor, upload_id)
    good = [group for group in item.invoices if not group.get("bad")]
    return render_template(
        "invoicing/nursery_upload_result.html",
        upload=item,
        good=len(good),
        total_pence=sum(group.get("total_pence", 0) for group in good),
        dwp_pence=sum(group.get("dwp_pence", 0) for group in good),
        identical=[
            (group["invoice_number"], rows) for group in good for rows in group.get("identical_rows", [])
        ],
        problem_rows=sorted({problem["row"] for problem in item.problems}),
        summary_limit=SUMMARY_LIMIT,
        form=ConfirmForm(),
        columns=spreadsheet.COLUMN_NAMES,
    )


@invoicing_nursery.post("/invoices/uploads/<uuid:upload_id>/send")
@provider_required()
def send_upload(upload_id: uuid.UUID) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".upload", upload_id=upload_id))
    only_good = request.form.get("only_good") == "yes"
    uploads.start_submission(request_session(), g.actor, upload_id, only_good=only_good)
    factory = database().session_factory
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not its proxy
    context = contextvars.copy_context()  # the thread logs under this request's id
    worker = threading.Thread(
        target=context.run, args=(_process_in_background, app, factory, upload_id), daemon=True
    )
    worker.start()
    return redirect(url_for(".upload", upload_id=upload_id))


def _process_in_background(app: Any, factory: Any, upload_id: uuid.UUID) -> None:
    """Sends the invoices after the answer has gone; the scheduler resumes it if this process stops."""
    with app.app_context():
        uploads.process_upload(factory, upload_id)
