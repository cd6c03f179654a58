"""The parents' area at /account."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

claimants_portal = Blueprint("claimants_portal", __name__, url_prefix="/account")


@claimants_portal.get("")
def index() -> str:
    return render_template(
        "area.html",
        heading=_("Parents on Universal Credit"),
        can_do=[
            _("give or stop your consent for a childcare provider to invoice DWP"),
            _("confirm or dispute each invoice before DWP pays it"),
            _("see what DWP pays and what you owe your provider in each assessment period"),
        ],
    )
