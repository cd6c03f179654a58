"""Credit notes: after DWP paid an invoice, the provider says it was paid too much.

A note is outstanding until it is taken off one of the provider's later payments (whole notes,
oldest first); if that payment is cancelled or fails, the note is outstanding again.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import FieldError, ValidationFailed, Words, rule
from config.money import format_pence
from invoicing import limits, repository
from invoicing.models import CreditNote, Invoice, InvoiceStatus, Payment
from providers import idempotency as idempotent
from providers.idempotency import Idempotency

MAX_REASON = limits.MAX_CREDIT_REASON


def issue_credit_note(
    session: Session, actor: Actor, invoice_id: uuid.UUID, amount_pence: int, reason: str
) -> CreditNote:
    """After DWP paid an invoice, the provider says it was paid too much by ``amount_pence``.

    The amount comes off the provider's next payment. Refused (422) unless the invoice is paid and
    the credits on it stay within what DWP paid for it; another provider's invoice is not found.
    """
    note, _replayed = _issue(session, actor, invoice_id, amount_pence, reason, None)
    return note


def issue_credit_note_once(
    session: Session,
    actor: Actor,
    invoice_id: uuid.UUID,
    amount_pence: int,
    reason: str,
    idempotency: Idempotency,
) -> tuple[CreditNote, bool]:
    """``issue_credit_note`` under an Idempotency-Key: ``(note, replayed)``. The same key and body
    answer the note the first request made; another body is refused (409)."""
    return idempotent.once(
        session,
        idempotency,
        lambda: _issue(session, actor, invoice_id, amount_pence, reason, idempotency),
        lambda note_id: session.get_one(CreditNote, note_id),
    )


def _issue(
    session: Session,
    actor: Actor,
    invoice_id: uuid.UUID,
    amount_pence: int,
    reason: str,
    idempotency: Idempotency | None,
) -> tuple[CreditNote, bool]:
    provider_id = actor.require_provider()
    reason = (reason or "").strip()
    errors = []
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        errors.append(FieldError("amount_pence", limits.AMOUNT_TOO_SMALL))
    if not reason:
        errors.append(FieldError("reason", "Enter the reason for the credit note"))
    elif len(reason) > MAX_REASON:
        errors.append(
            FieldError("reason", Words("Reason must be %(most)s characters or fewer", most=MAX_REASON))
        )
    if errors:
        raise ValidationFailed("The credit note is not valid", errors=errors)
    with transaction(session, {idempotent.CONFLICT: idempotent.key_in_use}):
        made_before = idempotent.earlier(session, idempotency)
        if made_before is not None:
            return session.get_one(CreditNote, made_before), True
        owner = {"provider_id": provider_id}
        invoice = repository.get_invoice(session, invoice_id, for_update=True, owned_by=owner)
        if invoice.status is not InvoiceStatus.PAID:
            raise rule(
                "invoice_not_paid",
                "Invoice not paid",
                "A credit note can only follow a paid invoice: cancel an unpaid invoice instead",
            )
        credited = repository.credited_pence(session, invoice.id)
        if credited + amount_pence > invoice.dwp_pence:
            most = format_pence(invoice.dwp_pence - credited)
            raise rule(
                "credit_too_large",
                "Credit note too large",
                Words(
                    "The credit must be %(most)s or less: "
                    "what DWP paid for this invoice less earlier credits",
                    most=most,
                ),
                errors=[FieldError("amount_pence", Words("Amount must be %(most)s or less", most=most))],
            )
        note = CreditNote(
            id=uuid.uuid4(),
            provider_id=provider_id,
            invoice_id=invoice.id,
            amount_pence=amount_pence,
            reason=reason,
            created_at=utcnow(),
        )
        session.add(note)
        audit.record(
            session,
            "invoice.credit_note_issued",
            invoice,
            actor,
            {"credit_note_id": note.id, "amount_pence": amount_pence, "reason": reason},
        )
        idempotent.remember(session, idempotency, note.id)
    return note, False


def take_credit_notes(session: Session, payment: Payment, actor: Actor) -> None:
    """Net the provider's outstanding credit notes off the payment, oldest first, whole notes only,
    leaving something to pay (a note bigger than what is left waits for a later payment). Part of
    the batch build's transaction."""
    for note in repository.outstanding_credit_notes(session, payment.provider_id):
        if note.amount_pence < payment.amount_pence:
            note.payment_id = payment.id
            payment.amount_pence -= note.amount_pence
            payment.credit_pence += note.amount_pence
            audit.record(
                session,
                "invoice.credit_note_recovered",
                session.get_one(Invoice, note.invoice_id),
                actor,
                {"credit_note_id": note.id, "amount_pence": note.amount_pence, "payment_id": payment.id},
            )


def release_credit_notes(session: Session, payment_ids: list[uuid.UUID]) -> None:
    """The payments will not be made: their credit notes are outstanding again."""
    for note in repository.credit_notes_of_payments(session, payment_ids):
        note.payment_id = None
