"""The nursery home page's invoicing part: what needs doing now, each a count linking to the list
it counts, and what DWP paid this month.

The home page is the providers package's (``providers_nursery.home``), which knows nothing of
invoices: this blueprint offers it the panel through ``app.extensions["nursery_home_panels"]``,
so the import direction (invoicing uses providers, never the reverse) holds.
"""

from __future__ import annotations

from flask import g, render_template
from flask.blueprints import BlueprintSetupState
from flask_babel import format_date

from config.database import utcnow
from config.extensions import request_session
from invoicing.labels import REASON_CODES
from invoicing.queries import nursery as nursery_queries
from invoicing.views.nursery import invoicing_nursery

PANELS = "nursery_home_panels"


def home_panel() -> str:
    """The panel, for the signed-in provider user (``g.actor``, set by ``provider_required``)."""
    board = nursery_queries.dashboard(request_session(), g.actor.provider_id, utcnow())
    return render_template(
        "invoicing/_nursery_dashboard.html",
        board=board,
        reasons=REASON_CODES,
        month_name=format_date(board.month, "MMMM yyyy"),
    )


@invoicing_nursery.record_once
def _offer_home_panel(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault(PANELS, []).append(home_panel)
