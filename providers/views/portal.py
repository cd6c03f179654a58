"""The nursery portal at /provider."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

providers_portal = Blueprint("providers_portal", __name__, url_prefix="/provider")


@providers_portal.get("")
def index() -> str:
    return render_template(
        "area.html",
        heading=_("Childcare providers"),
        can_do=[
            _("register your setting with its regulator number and bank details"),
            _("ask parents for consent to invoice DWP for their children"),
            _("submit invoices one at a time, by spreadsheet upload, or from your nursery software"),
            _("see each invoice's progress and what DWP has paid you"),
        ],
    )
