"""Invoices a nursery has started but not sent: not invoices at all to DWP, with no state.

A draft keeps the invoice form as it was typed (``form``: each field's values, as the browser
posted them), so it opens again exactly as it was left, half-typed dates and all. The few columns
beside it (child's consent, number, dates of care) are read from the form when it is saved, for
the list of drafts. Sending a draft makes an invoice and deletes the draft, in one transaction.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from config.database import Base, Timestamps, UUIDPrimaryKey


class InvoiceDraft(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "invoice_drafts"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    saved_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_users.id"))
    form: Mapped[dict[str, Any]]
    consent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consents.id"))
    invoice_number: Mapped[str | None] = mapped_column(String(40))
    care_from: Mapped[date | None]
    care_to: Mapped[date | None]
    # The invoice it was copied from ("copy last month's invoices" copies each one once).
    copied_from_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id"), index=True)
