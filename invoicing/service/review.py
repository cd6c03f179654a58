"""DWP's checks of confirmed invoices: automatic approval of clean ones, caseworkers for the rest."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from claims import ClaimSystemUnavailable
from config import audit
from config.auth import Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import FieldError, ValidationFailed, rule
from invoicing import repository
from invoicing.models import Invoice, InvoiceStatus
from invoicing.service import parent_news
from invoicing.service.claim_facts import BARRING, ClaimFacts
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
            parent_news.tell_of_decision(session, invoice, InvoiceStatus.CONFIRMED)
    return counts


# Each reason a caseworker may give, and the decisions it can explain: a reason that
# contradicts its decision ("approve: duplicate of another invoice") is refused.
REASONS_FOR = {
    InvoiceStatus.APPROVED: frozenset({"checked_eligible", "dispute_not_upheld", "over_limit"}),
    InvoiceStatus.ON_HOLD: frozenset({"need_information"}),
    InvoiceStatus.REJECTED: frozenset(
        {"dispute_upheld", "duplicate", "not_eligible", "over_limit", "claim_does_not_allow"}
    ),
}


def _decide(
    session: Session, actor: Actor, invoice_id: uuid.UUID, target: InvoiceStatus, note: str, reason_code: str
) -> Invoice:
    """Record a caseworker's decision: the reason code (its words reach the nursery and the parent)
    and the note (what the caseworker checked: it stays on DWP's pages)."""
    actor.require_role(StaffRole.CASEWORKER)
    note = required_reason(note, "Give a reason", "Enter a note about your decision", field="note")
    if reason_code not in REASONS_FOR[target]:
        raise ValidationFailed(
            "That reason does not fit the decision",
            errors=[FieldError("reason_code", "Select a reason that explains your decision")],
        )
    with transaction(session):
        invoice = repository.get_invoice(session, invoice_id, for_update=True)
        if target is InvoiceStatus.APPROVED:
            _refuse_if_the_claim_bars(session, invoice)
        decision = {"reason_code": reason_code, "note": note}
        if target is InvoiceStatus.ON_HOLD and invoice.status is InvoiceStatus.ON_HOLD:
            # Held already (by the automatic checks, or earlier): the hold goes on, with this note.
            audit.record(session, "invoice.hold_continued", invoice, actor, decision)
        else:
            was = invoice.status
            move_invoice(session, invoice, target, actor, **decision)
            parent_news.tell_of_decision(session, invoice, was, reason_code)
        invoice.decided_at, invoice.decided_by_id = utcnow(), actor.staff_id
        invoice.decision_reason_code, invoice.decision_reason = reason_code, note[:1000]
    return invoice


def hold_invoice(
    session: Session, actor: Actor, invoice_id: uuid.UUID, note: str, reason_code: str = "need_information"
) -> Invoice:
    """A caseworker holds a flagged or disputed invoice for more checks (or keeps it on hold)."""
    return _decide(session, actor, invoice_id, InvoiceStatus.ON_HOLD, note, reason_code)


def approve_invoice(
    session: Session, actor: Actor, invoice_id: uuid.UUID, note: str, reason_code: str = "checked_eligible"
) -> Invoice:
    """A caseworker approves a held or disputed invoice for payment, saying why."""
    return _decide(session, actor, invoice_id, InvoiceStatus.APPROVED, note, reason_code)


def reject_invoice(
    session: Session, actor: Actor, invoice_id: uuid.UUID, note: str, reason_code: str = "not_eligible"
) -> Invoice:
    """A caseworker decides DWP will not pay the invoice, saying why."""
    return _decide(session, actor, invoice_id, InvoiceStatus.REJECTED, note, reason_code)


def _refuse_if_the_claim_bars(session: Session, invoice: Invoice) -> None:
    """One caseworker cannot approve past the claim's facts (the claim not live, the work condition
    not met, the claim unknown): only the claim system's own records changing lets it pay. While
    the claim system cannot be asked, the batch asks again before paying (and holds it then)."""
    reference = repository.claim_references(session, {invoice.parent_id}).get(invoice.parent_id)
    try:
        barring = ClaimFacts(session).flags(reference, (invoice.ap_start, invoice.ap_end)) & BARRING
    except ClaimSystemUnavailable:
        return
    if barring:
        raise rule(
            "claim_bars_payment",
            "The claim's facts bar payment",
            "Universal Credit's records say the claim was not open, the work condition was not met "
            "or the claim is unknown in this assessment period. DWP cannot approve the invoice until "
            "the claim's records change: reject it or keep it on hold.",
        )
