"""What became of each payment: sent, unknown, paid or failed (returned, if it had been paid).

The rails' jobs (``sending``, ``reconciliation``) call these with what the rail said; each is one
transaction, and a payment's invoices follow it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session

from config import notify
from config.auth import Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import rule
from config.formatting import said
from config.money import format_pence
from config.transitions import Moved, move_rows
from invoicing import repository
from invoicing.models import BatchStatus, InvoiceStatus, Payment, PaymentBatch, PaymentStatus
from invoicing.service import parent_news, statements
from invoicing.service.common import link
from invoicing.service.credit_notes import release_credit_notes
from invoicing.service.transitions import INVOICE, PAYMENT, move_batch, move_invoice, move_payment
from providers import repository as providers_repository


def record_payment_sent(
    session: Session, actor: Actor, payment_id: uuid.UUID, rail_reference: str
) -> Payment:
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        payment = repository.get_payment(session, payment_id, for_update=True)
        mark_payment_sent(session, actor, payment, rail_reference)
    return payment


def mark_payment_sent(session: Session, actor: Actor, payment: Payment, rail_reference: str) -> None:
    """The payment (locked) has gone to its rail. Part of a use case: call it inside the caller's
    transaction (``record_payment_sent``'s, or the Bacs file's, so the file and its payments are
    recorded together)."""
    if payment.batch.status is not BatchStatus.SUBMITTED:
        raise rule(
            "batch_not_submitted", "Batch not submitted", "Only payments of a submitted batch can be sent"
        )
    move_payment(session, payment, PaymentStatus.SENT, actor, rail_reference=rail_reference)
    payment.rail_reference, payment.sent_at = rail_reference, utcnow()


def record_payment_unknown(session: Session, actor: Actor, payment_id: uuid.UUID, detail: str) -> Payment:
    """The rail did not answer: the payment waits for reconciliation, never for a guess."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        payment = repository.get_payment(session, payment_id, for_update=True)
        move_payment(session, payment, PaymentStatus.UNKNOWN, actor, detail=detail)
    return payment


def record_payment_paid(session: Session, actor: Actor, payment_id: uuid.UUID) -> Payment:
    """The rail confirms the money arrived: the payment's invoices are paid."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        payment = repository.get_payment(session, payment_id, for_update=True)
        pay_payment(session, actor, payment)
    return payment


def pay_payment(session: Session, actor: Actor, payment: Payment, **data: object) -> None:
    """``record_payment_paid`` for a locked payment, inside the caller's transaction (a break
    resolved as matched closes the break and pays the payment together)."""
    move_payment(session, payment, PaymentStatus.PAID, actor, **data)
    payment.paid_at = utcnow()
    paid = []
    for _allocation, invoice in repository.live_invoices_of_payments(session, [payment.id]):
        move_invoice(session, invoice, InvoiceStatus.PAID, actor, payment_id=payment.id)
        paid.append(invoice.id)
    parent_news.tell_of_payment(session, paid)
    statements.refresh_statements(session, actor, statements.pairs_of_payments(session, [payment.id]))
    _settle_batch_if_done(session, payment.batch, actor)


def record_payments_paid(session: Session, actor: Actor, payment_ids: Sequence[uuid.UUID]) -> int:
    """``record_payment_paid`` for many payments in one transaction (reconciliation's bulk path).

    Only payments still ``sent`` move (one another reconciler has just recorded is left alone);
    returns how many did. Each payment and invoice gets the audit event and webhook ``move``
    would give it (``move_rows``), but the rows are read and written a table at a time, as
    reconciliation records 100,000 payments a day. Keep ``payment_ids`` to a few thousand: they
    are locked together.
    """
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        now = utcnow()
        payments = repository.lock_payments(session, payment_ids, PaymentStatus.SENT)
        if not payments:
            return 0
        invoices = repository.lock_live_invoices(session, [payment.id for payment in payments])
        move_rows(
            session,
            PAYMENT,
            PaymentStatus.PAID,
            actor,
            [
                Moved(p.id, PaymentStatus.SENT, p.provider_id, {"amount_pence": p.amount_pence})
                for p in payments
            ],
        )
        move_rows(
            session,
            INVOICE,
            InvoiceStatus.PAID,
            actor,
            [Moved(i.id, i.status, data={"payment_id": str(i.payment_id)}) for i in invoices],
        )
        repository.write_paid(session, [payment.id for payment in payments], now)
        parent_news.tell_of_payment(session, [i.id for i in invoices])
        statements.refresh_statements(
            session, actor, statements.pairs_of_payments(session, [payment.id for payment in payments])
        )
        _settle_batches(session, {payment.batch_id for payment in payments}, actor)
    return len(payments)


def record_payment_failed(session: Session, actor: Actor, payment_id: uuid.UUID, reason: str) -> Payment:
    """The rail refused or returned the payment: its invoices wait, ``payment_failed``, for the next batch.

    The provider sees the failure on each invoice; the next batch built pays them again (once
    the provider is payable: new bank details, for instance, are held until released).
    """
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        payment = repository.get_payment(session, payment_id, for_update=True)
        fail_payment(session, actor, payment, reason)
    return payment


def fail_payment(session: Session, actor: Actor, payment: Payment, reason: str) -> None:
    """``record_payment_failed`` for a locked payment, inside the caller's transaction (a confirmed
    returns import fails all its payments together)."""
    target = PaymentStatus.RETURNED if payment.status is PaymentStatus.PAID else PaymentStatus.FAILED
    touched = statements.pairs_of_payments(session, [payment.id])
    move_payment(session, payment, target, actor, reason=reason)
    payment.failed_at, payment.failure_reason = utcnow(), reason[:500]
    release_credit_notes(session, [payment.id])
    for allocation, invoice in repository.live_invoices_of_payments(session, [payment.id]):
        allocation.live = False
        move_invoice(
            session, invoice, InvoiceStatus.PAYMENT_FAILED, actor, payment_id=payment.id, reason=reason
        )
    # A returned payment was money paid direct: its invoices leave the AP's statement, and the
    # credit notes it recovered count no longer. A failed one may leave its AP settled without it.
    statements.refresh_statements(session, actor, touched)
    for email in providers_repository.admin_emails(session, payment.provider_id):
        notify.queue_email(
            session,
            to=email,
            template="payment_failed",
            reference=f"payment-failed-{payment.id}-{email}",
            amount=format_pence(payment.amount_pence),
            reference_code=payment.reference,
            reason=said(reason[:200]),
            link=link(f"/provider/payments/{payment.id}"),
        )
    _settle_batch_if_done(session, payment.batch, actor)


def _settle_batch_if_done(session: Session, batch: PaymentBatch, actor: Actor) -> None:
    if batch.status is not BatchStatus.SUBMITTED:
        return
    session.flush()
    _settle(session, batch, {p.status for p in batch.payments}, actor)


def _settle_batches(session: Session, batch_ids: set[uuid.UUID], actor: Actor) -> None:
    """``_settle_batch_if_done`` for many batches, from their payments' states read in one query."""
    states = repository.payment_states(session, batch_ids)
    for batch in repository.submitted_batches(session, batch_ids):
        _settle(session, batch, states[batch.id], actor)


def _settle(session: Session, batch: PaymentBatch, states: set[PaymentStatus], actor: Actor) -> None:
    """A submitted batch is settled once every payment is paid; partly failed once none is still on
    its way."""
    if states <= {PaymentStatus.PAID}:
        target = BatchStatus.SETTLED
    elif states <= {PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.RETURNED}:
        target = BatchStatus.PARTIALLY_FAILED
    else:
        return
    move_batch(session, batch, target, actor)
    batch.finished_at = utcnow()
