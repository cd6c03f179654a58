"""The nursery portal's invoicing pages at /provider: one blueprint, a module for each part
(``invoices``: send, list, follow, cancel, credit; ``payments``: remittance advice; ``uploads``:
invoices from a spreadsheet)."""

from __future__ import annotations

from flask import Blueprint

invoicing_nursery = Blueprint(
    "invoicing_nursery", __name__, url_prefix="/provider", template_folder="../../templates"
)

from invoicing.views.nursery import invoices, payments, uploads  # noqa: E402  (their routes join it)

__all__ = ["invoices", "invoicing_nursery", "payments", "uploads"]
