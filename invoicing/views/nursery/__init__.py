"""The nursery portal's invoicing pages at /provider: one blueprint, a module for each part
(``invoice_form``: the form and its check page; ``drafts``: saved drafts, copying last month's,
correcting a disputed invoice; ``listing``: the list and its export; ``invoices``: follow, cancel,
credit; ``payments``: remittance advice; ``uploads``: invoices from a spreadsheet)."""

from __future__ import annotations

from flask import Blueprint

invoicing_nursery = Blueprint(
    "invoicing_nursery", __name__, url_prefix="/provider", template_folder="../../templates"
)

from invoicing.views.nursery import (  # noqa: E402  (their routes join it)
    dashboard,
    drafts,
    invoice_form,
    invoices,
    listing,
    payments,
    uploads,
)

__all__ = [
    "dashboard",
    "drafts",
    "invoice_form",
    "invoices",
    "invoicing_nursery",
    "listing",
    "payments",
    "uploads",
]
