"""The parent's word on each invoice: confirmed or disputed, reminded while they are silent.

The parent's silence never pays: an unconfirmed invoice is reminded at 3 and 7 days and
escalated to DWP at 14, never confirmed for them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from claimants.models import Child, Parent
from config import audit, notify
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import N_
from invoicing import repository
from invoicing.models import Invoice, InvoiceFlag, InvoiceStatus
from invoicing.service.common import link, required_reason
from invoicing.service.transitions import move_invoice
from providers import repository as providers_repository

REMINDER_AFTER = (timedelta(days=3), timedelta(days=7))
ESCALATE_AFTER = timedelta(days=14)


def _parents_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    owner = {"parent_id": actor.require_parent()}
    return repository.get_invoice(session, invoice_id, for_update=True, owned_by=owner)


def confirm_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    """The parent confirms the care was given and the amounts are right. Only they can do this."""
    with transaction(session):
        invoice = _parents_invoice(session, actor, invoice_id)
        move_invoice(session, invoice, InvoiceStatus.CONFIRMED, actor)
        invoice.confirmed_at = utcnow()
    return invoice


def dispute_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str) -> Invoice:
    """The parent disputes the invoice; it goes to DWP's review queue."""
    reason = required_reason(
        reason, N_("Say why you disagree"), N_("Enter why you disagree with the invoice")
    )
    with transaction(session):
        invoice = _parents_invoice(session, actor, invoice_id)
        move_invoice(session, invoice, InvoiceStatus.DISPUTED, actor, reason=reason)
        invoice.dispute_reason = reason[:1000]
        invoice.flags = sorted({*invoice.flags, InvoiceFlag.DISPUTED.value})
        child = session.get_one(Child, invoice.child_id)
        for admin in providers_repository.admin_emails(session, invoice.provider_id):
            notify.queue_email(
                session,
                to=admin,
                template="invoice_disputed",
                reference=f"dispute-{invoice.id}",
                invoice_number=invoice.invoice_number,
                child=child.first_name,
                reason=reason,
            )
    return invoice


def _tell_of_escalation(session: Session, invoice: Invoice, days: int) -> None:
    """The parent and the provider's admins hear that DWP is waiting for the parent's answer."""
    parent = session.get_one(Parent, invoice.parent_id)
    provider = providers_repository.get_provider(session, invoice.provider_id)
    common = {"provider": provider.name, "invoice_number": invoice.invoice_number, "days": str(days)}
    notify.queue_email(
        session,
        to=parent.email,
        template="invoice_escalated_parent",
        reference=f"escalated-{invoice.id}",
        link=link(f"/account/invoices/{invoice.id}"),
        **common,
    )
    for admin in providers_repository.admin_emails(session, invoice.provider_id):
        notify.queue_email(
            session,
            to=admin,
            template="invoice_escalated_provider",
            reference=f"escalated-{invoice.id}-{admin}",
            link=link(f"/provider/invoices/{invoice.id}"),
            **common,
        )


def remind_unconfirmed(session: Session, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    """Scheduled: remind parents at 3 and 7 days; at 14 days tell DWP. Never confirms by silence.

    Safe to run twice: each reminder is counted on the invoice and sent once.
    """
    now = now or utcnow()
    counts = {"reminded": 0, "escalated": 0}
    with transaction(session):
        for invoice in repository.waiting_for_parent(session, now - REMINDER_AFTER[0]):
            age = now - invoice.created_at
            due = sum(1 for after in REMINDER_AFTER if age >= after)
            if invoice.reminders_sent < due:
                invoice.reminders_sent = due
                parent = session.get_one(Parent, invoice.parent_id)
                provider = providers_repository.get_provider(session, invoice.provider_id)
                notify.queue_email(
                    session,
                    to=parent.email,
                    template="invoice_reminder",
                    reference=f"reminder-{due}-{invoice.id}",
                    provider=provider.name,
                    invoice_number=invoice.invoice_number,
                    link=link(f"/account/invoices/{invoice.id}"),
                )
                audit.record(session, "invoice.reminder_sent", invoice, actor, {"reminder": due})
                counts["reminded"] += 1
            if age >= ESCALATE_AFTER and invoice.escalated_at is None:
                invoice.escalated_at = now
                audit.record(session, "invoice.escalated", invoice, actor, {"days_waiting": age.days})
                _tell_of_escalation(session, invoice, age.days)
                counts["escalated"] += 1
    return counts
