"""From a built batch to money moving: approval by someone else, cancelling, handing to the rails.

An approved batch is frozen: its content hash covers everything that decides where money goes,
and is checked again before any money moves.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from config import audit
from config.auth import Actor, ActorKind, StaffRole
from config.database import transaction, utcnow
from config.errors import DomainError, SelfApprovalForbidden
from invoicing import repository
from invoicing.models import BatchApproval, BatchStatus, InvoiceStatus, Payment, PaymentBatch
from invoicing.service.batches import control_totals
from invoicing.service.common import required_reason
from invoicing.service.credit_notes import release_credit_notes
from invoicing.service.transitions import BATCH, move_batch, move_invoice
from providers import repository as providers_repository

logger = logging.getLogger(__name__)


def content_hash(batch: PaymentBatch, allocations: Mapping[uuid.UUID, list[tuple[uuid.UUID, int]]]) -> str:
    """SHA-256 over everything that decides where money goes: destinations, amounts, invoices.

    ``allocations``: each payment's live allocations (``repository.live_allocations``)."""
    content = {
        "batch": str(batch.id),
        "payment_date": batch.payment_date.isoformat(),
        "payments": [
            {
                "id": str(p.id),
                "provider": str(p.provider_id),
                "amount_pence": p.amount_pence,
                "credit_pence": p.credit_pence,
                "rail": p.rail.value,
                "reference": p.reference,
                "stripe_account": p.destination_stripe_account,
                "sort_code": p.destination_sort_code,
                "account_number": p.destination_account_number,
                "account_name": p.destination_account_name,
                "allocations": sorted([str(invoice), pence] for invoice, pence in allocations.get(p.id, [])),
                # The payee the batch was built for (batches built before it was kept hash as before).
                **({"payee": str(p.payee_id)} if p.payee_id else {}),
            }
            for p in sorted(batch.payments, key=lambda p: str(p.id))
        ],
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class BatchTampered(DomainError):
    status = 409
    code = "batch_tampered"
    title = "Batch changed after approval"


class PayeeChanged(DomainError):
    status = 409
    code = "payee_changed"
    title = "Payment details changed since the batch was built"


def check_payees(session: Session, payments: Sequence[Payment]) -> None:
    """Each payment still goes to its provider's current payee, released and cooled off: a change
    since the batch was built means it must be built again (it would pay the old details)."""
    current = providers_repository.payable_payees(session, {p.provider_id for p in payments}, utcnow())
    changed = [
        p.provider_id
        for p in payments
        if p.payee_id is not None
        and (p.provider_id not in current or current[p.provider_id].id != p.payee_id)
    ]
    if changed:
        names = ", ".join(
            sorted(p.name for p in providers_repository.providers_by_id(session, set(changed)).values())
        )
        raise PayeeChanged(
            f"Where DWP pays {names} changed after this batch was built, so it would pay the old "
            "details: cancel the batch and build it again"
        )


def payee_problem(session: Session, batch: PaymentBatch) -> str | None:
    """What ``check_payees`` would refuse this batch for, said before anyone presses a button
    (read only); ``None`` when its payments still go to their providers' current payees."""
    try:
        check_payees(session, batch.payments)
    except PayeeChanged as error:
        return error.detail
    return None


def verify_frozen(session: Session, batch: PaymentBatch) -> None:
    """Before any money moves: the batch must still be exactly what the approver approved."""
    allocations = repository.live_allocations(session, batch.id)
    totals_hold = batch.total_pence == sum(p.amount_pence for p in batch.payments) and all(
        p.amount_pence + p.credit_pence == sum(amount for _invoice, amount in allocations.get(p.id, []))
        for p in batch.payments
    )
    if (
        batch.content_hash is None
        or not totals_hold
        or content_hash(batch, allocations) != batch.content_hash
    ):
        raise BatchTampered("The batch no longer matches what was approved: no money has been moved")


def stop_changed_batch(
    session: Session, actor: Actor, batch_id: uuid.UUID, why: str = "changed after approval"
) -> PaymentBatch:
    """An approved batch that no longer matches its hash (or whose payees changed) is stopped:
    nothing of it will be sent.

    Logged as an error and counted (``ccd_batches{state="stopped"}``) for whoever watches; the
    batch page says so. Its way forward is to be cancelled, which puts its invoices back."""
    with transaction(session):
        batch = repository.get_batch(session, batch_id, for_update=True)
        move_batch(session, batch, BatchStatus.STOPPED, actor, content_hash=batch.content_hash, why=why)
    logger.error("payment batch %s %s: stopped, nothing will be sent", batch_id, why)
    return batch


def request_batch_approval(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        batch = repository.get_batch(session, batch_id, for_update=True)
        move_batch(session, batch, BatchStatus.AWAITING_APPROVAL, actor)
    return batch


def approve_batch(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    """An approver who did not build the batch approves it. Once it has as many different approvers
    as it requires (two over the approval limits), it is frozen with its content hash.

    Refused with ``SelfApprovalForbidden`` for its builder (and by a database constraint), for an
    approver who already approved it, and when it changed since the first approval; a batch already
    approved cannot be approved again.
    """
    if actor.kind is not ActorKind.STAFF:
        raise SelfApprovalForbidden("A batch must be approved by a DWP approver")
    actor.require_role(StaffRole.APPROVER)

    def four_eyes() -> DomainError:
        return SelfApprovalForbidden("A batch must be approved by someone other than the person who built it")

    def twice() -> DomainError:
        return SelfApprovalForbidden(
            "You have already approved this batch: a second approver must approve it too"
        )

    conflicts = {
        "approver_is_not_builder": four_eyes,
        "approver_did_not_build": four_eyes,
        "batch_approvals": twice,
    }
    with transaction(session, conflicts):
        repository.get_batch(session, batch_id, for_update=True)
        batch = repository.batch_with_payments(session, batch_id)
        assert actor.id is not None
        BATCH.check(batch.status, BatchStatus.APPROVED)
        batch.check_approver(actor.id)
        if any(approval.approver_id == actor.id for approval in batch.approvals):
            raise twice()
        check_payees(session, batch.payments)
        frozen = content_hash(batch, repository.live_allocations(session, batch_id))
        if any(approval.content_hash != frozen for approval in batch.approvals):
            raise BatchTampered("The batch changed after its first approval: cancel it and build it again")
        now = utcnow()
        session.add(
            BatchApproval(
                batch_id=batch.id,
                approver_id=actor.id,
                built_by_id=batch.built_by_id,
                content_hash=frozen,
                approved_at=now,
            )
        )
        approvals = len(batch.approvals) + 1
        if approvals < batch.approvals_required:
            audit.record(
                session,
                "batch.first_approval",
                batch,
                actor,
                {"content_hash": frozen, "approvals": approvals, "required": batch.approvals_required},
            )
        else:
            session.flush()  # the approvals exist before the trigger counts them
            move_batch(
                session, batch, BatchStatus.APPROVED, actor, content_hash=frozen, **control_totals(batch)
            )
            batch.approved_by_id, batch.approved_at, batch.content_hash = actor.id, now, frozen
    return batch


def cancel_batch(session: Session, actor: Actor, batch_id: uuid.UUID, reason: str) -> PaymentBatch:
    """Before submission only: the batch's invoices go back to approved for the next batch."""
    actor.require_role(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)
    reason = required_reason(reason, "Give a reason", "Enter why the batch is cancelled")
    with transaction(session):
        batch = repository.get_batch(session, batch_id, for_update=True)
        move_batch(session, batch, BatchStatus.CANCELLED, actor, reason=reason)
        batch.cancelled_at, batch.cancel_reason = utcnow(), reason[:1000]
        release_credit_notes(session, [p.id for p in batch.payments])
        for allocation, invoice in repository.live_invoices_of_payments(
            session, [p.id for p in batch.payments]
        ):
            allocation.live = False
            move_invoice(
                session, invoice, InvoiceStatus.APPROVED, actor, reason="batch cancelled", batch_id=batch.id
            )
    return batch


def submit_batch(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    """Mark an approved batch as handed to the payment rails, after re-checking its hash."""
    actor.require_role(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)
    with transaction(session):
        batch = hand_to_rails(session, actor, batch_id)
    return batch


def hand_to_rails(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    """``submit_batch`` inside the caller's transaction (the Bacs file's, which records the file and
    the batch's submission together): the batch locked, its hash checked, marked submitted."""
    repository.get_batch(session, batch_id, for_update=True)
    batch = repository.batch_with_payments(session, batch_id)
    if batch.status is BatchStatus.APPROVED:
        verify_frozen(session, batch)
        check_payees(session, batch.payments)
    move_batch(session, batch, BatchStatus.SUBMITTED, actor, content_hash=batch.content_hash)
    batch.submitted_at = utcnow()
    return batch
