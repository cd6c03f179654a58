"""What an email to a parent about their invoices names: one query for many invoices. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.models import Child, Parent
from config.database import among
from invoicing.models import Invoice
from providers.models import Provider


@dataclass(frozen=True)
class InvoiceNews:
    invoice_id: uuid.UUID
    invoice_number: str
    dwp_pence: int
    claimant_pence: int
    provider: str
    child: str
    email: str


def invoice_news(session: Session, invoice_ids: Sequence[uuid.UUID]) -> list[InvoiceNews]:
    """For each invoice, its parent's email address and the names the email gives."""
    if not invoice_ids:
        return []
    rows = session.execute(
        select(
            Invoice.id,
            Invoice.invoice_number,
            Invoice.dwp_pence,
            Invoice.claimant_pence,
            Provider.name,
            Child.first_name,
            Parent.email,
        )
        .join(Provider, Provider.id == Invoice.provider_id)
        .join(Child, Child.id == Invoice.child_id)
        .join(Parent, Parent.id == Invoice.parent_id)
        .where(among(session, Invoice.id, list(invoice_ids)))
        .order_by(Invoice.id)
    )
    return [InvoiceNews(*row) for row in rows]
