"""DWP's checks of confirmed invoices: automatic approval of clean ones, caseworkers for the rest."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from config.auth import Actor, StaffRole
from config.database import transaction, utcnow
from invoicing import repository
from invoicing.models import Invoice, InvoiceStatus
from invoicing.service.common import required_reason
from invoicing.service.transitions import move_invoice


def run_automatic_checks(session: Session, actor: Actor, limit: int = 500) -> dict[str, int]:
    """Scheduled: clean confirmed invoices are approved; flagged ones go on hold for review.

    Safe to run twice: it only takes invoices still ``confirmed``.
    """
    counts = {"approved": 0, "on_hold": 0}
    with transaction(session):
        for invoice in repository.invoices_in_state(session, InvoiceStatus.CONFIRMED, limit):
            if invoice.flags:
                move_invoice(session, invoice, InvoiceStatus.ON_HOLD, actor, flags=invoice.flags)
                counts["on_hold"] += 1
            else:
                move_invoice(session, invoice, InvoiceStatus.APPROVED, actor)
                counts["approved"] += 1
    return counts


def _decide(
    session: Session, actor: Actor, invoice_id: uuid.UUID, target: InvoiceStatus, reason: str
) -> Invoice:
    actor.require_role(StaffRole.CASEWORKER)
    reason = required_reason(reason, "Give a reason", "Enter a reason for your decision")
    with transaction(session):
        invoice = repository.get_invoice(session, invoice_id, for_update=True)
        move_invoice(session, invoice, target, actor, reason=reason)
        invoice.decided_at, invoice.decided_by_id, invoice.decision_reason = (
            utcnow(),
            actor.staff_id,
            reason[:1000],
        )
    return invoice


def hold_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str) -> Invoice:
    return _decide(session, actor, invoice_id, InvoiceStatus.ON_HOLD, reason)


def approve_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str) -> Invoice:
    """A caseworker approves a held or disputed invoice for payment, saying why."""
    return _decide(session, actor, invoice_id, InvoiceStatus.APPROVED, reason)


def reject_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str) -> Invoice:
    return _decide(session, actor, invoice_id, InvoiceStatus.REJECTED, reason)
