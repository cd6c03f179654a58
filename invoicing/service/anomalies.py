"""The anomalies that stop an invoice being approved automatically (DESIGN §3), found at submission.

Each is a flag on the invoice; a flagged invoice goes to a caseworker once the parent confirms it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from config import settings
from invoicing import repository
from invoicing.eligibility import days_inclusive
from invoicing.models import InvoiceFlag
from providers import repository as providers_repository
from providers.models import Provider

if TYPE_CHECKING:
    from invoicing.service.submission import InvoiceInput


def anomalies(
    session: Session,
    provider: Provider,
    data: InvoiceInput,
    child_id: uuid.UUID,
    total_pence: int,
    now: datetime,
) -> list[str]:
    """Flags that stop automatic approval (DESIGN §3), found when the invoice is submitted."""
    cfg = settings.current()
    flags: list[str] = []
    for other in repository.overlapping_invoices(
        session, child_id, provider.id, data.care_from, data.care_to
    ):
        same = (other.care_from, other.care_to, other.total_pence) == (
            data.care_from,
            data.care_to,
            total_pence,
        )
        flags.append(InvoiceFlag.DUPLICATE if same else InvoiceFlag.OVERLAPPING_CARE)
    hours = sum((line.hours or Decimal(0) for line in data.lines), Decimal(0))
    if hours > cfg.max_plausible_hours_per_day * days_inclusive(data.care_from, data.care_to):
        flags.append(InvoiceFlag.IMPLAUSIBLE_HOURS)
    payee = providers_repository.current_payee(session, provider.id)
    cooling_off = timedelta(days=cfg.bank_change_cooling_off_days)
    # A change since verification (one with a cooling-off period), not one made while DWP verified it.
    changed_since_verified = (
        payee is not None and payee.hold_until is not None and payee.hold_until > payee.created_at
    )
    if payee is not None and changed_since_verified and payee.created_at > now - cooling_off:
        flags.append(InvoiceFlag.RECENT_BANK_CHANGE)
    before, recent = repository.provider_volume(
        session, provider.id, now - timedelta(days=120), now - timedelta(days=30), now
    )
    recent += 1
    if recent > max(cfg.volume_spike_floor, cfg.volume_spike_factor * before / 3):
        flags.append(InvoiceFlag.VOLUME_SPIKE)
    return flags
