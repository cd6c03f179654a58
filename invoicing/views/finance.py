"""DWP staff pages at /finance."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

invoicing_finance = Blueprint("invoicing_finance", __name__, url_prefix="/finance")


@invoicing_finance.get("")
def index() -> str:
    return render_template(
        "area.html",
        heading=_("DWP staff"),
        can_do=[
            _("review flagged and disputed invoices"),
            _("build payment batches and approve batches someone else built"),
            _("see scheduled jobs, payments and reconciliation"),
        ],
    )
