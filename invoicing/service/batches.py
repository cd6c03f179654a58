"""Building a payment batch: every invoice due for payment, one payment per provider.

A day's batch can hold 100,000 invoices, so they are read as rows and written with one statement
(``repository.write_batched``); each still gets its audit event through ``move_rows``.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from claims import ClaimSystemUnavailable
from config import audit, notify, settings
from config.auth import Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import ConcurrentChange, DomainError
from config.money import format_pence
from config.transitions import Moved, move_rows
from invoicing import repository
from invoicing.eligibility import Attribution, attribute
from invoicing.entitlement import full_share_pence, monthly_cap_pence, within_cap
from invoicing.models import BatchStatus, InvoiceStatus, Payment, PaymentBatch, Rail
from invoicing.rails import bacs
from invoicing.service.claim_facts import BARRING, ClaimFacts
from invoicing.service.common import link, today_in_london
from invoicing.service.credit_notes import take_credit_notes
from invoicing.service.transitions import INVOICE, move_batch, move_invoice
from providers import repository as providers_repository
from providers.models import Payee, PayeeRail

# Arbitrary constant naming the batch builders' PostgreSQL advisory lock.
BATCH_BUILD_LOCK = 0x43434242  # "CCBB"

logger = logging.getLogger(__name__)


def payment_reference(payment_id: uuid.UUID) -> str:
    return f"CCD {payment_id.hex[:12].upper()}"


def build_batch(
    session: Session, actor: Actor, payment_date: date | None = None, *, for_approval: bool = False
) -> PaymentBatch | None:
    """Gather every approved (or failed and due again) invoice of payable providers into one draft batch.

    One payment per provider, an allocation per invoice. Each invoice's assessment period and
    DWP share are decided again for the payment date and frozen: the cap is shared by all of a
    parent's invoices counting in one AP, in order, so later invoices get what is left. An
    invoice that picks up a new flag on the way goes on hold instead. Builders take turns (an
    advisory lock on PostgreSQL) and skip invoices another transaction holds, so no invoice is
    ever in two batches. Returns ``None`` when there is nothing to pay. ``for_approval`` asks
    for approval in the same transaction (the finance page and the daily job).
    """
    actor.require_role(StaffRole.FINANCE_OFFICER)
    now = utcnow()
    payment_date = payment_date or today_in_london(now)

    def taken() -> DomainError:
        return ConcurrentChange("Another batch took these invoices at the same time: build again")

    live_allocation = {"payment_allocations.invoice_id": taken, "uq_payment_allocations_one_live": taken}
    with transaction(session, live_allocation):
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": BATCH_BUILD_LOCK})
        candidates = repository.batch_candidates(session)
        payees = providers_repository.payable_payees(session, {c.provider_id for c in candidates}, now)
        candidates = [c for c in candidates if c.provider_id in payees]
        if not candidates:
            return None
        claim_starts = repository.claim_starts(session, {c.parent_id for c in candidates})
        references = repository.claim_references(session, set(claim_starts))
        facts = ClaimFacts(session)
        arrival = {provider_id: _arrival_day(payee, payment_date) for provider_id, payee in payees.items()}
        to_pay: list[tuple[Any, Attribution]] = []
        newly_flagged: dict[uuid.UUID, set[str]] = {}
        for candidate in candidates:
            # A cost counts in the assessment period of the day the money reaches the nursery.
            where = attribute(
                claim_starts[candidate.parent_id],
                candidate.care_from,
                candidate.care_to,
                arrival[candidate.provider_id],
            )
            try:
                claim_flags = facts.flags(references[candidate.parent_id], (where.start, where.end))
                facts.of(references[candidate.parent_id], where.start)
            except ClaimSystemUnavailable:
                # Never paid without the claim's word: it stays approved for the next batch.
                logger.warning("claim system unavailable: invoice %s waits", candidate.id)
                continue
            had = json.loads(candidate.flags_json) if candidate.flags_json else ()
            # Barring facts hold it again even when a caseworker approved it past them before.
            new_flags = {*where.flags, *claim_flags}.difference(had) | (claim_flags & BARRING)
            if new_flags:
                newly_flagged[candidate.id] = new_flags
            else:
                to_pay.append((candidate, where))
        _hold_newly_flagged(session, actor, newly_flagged)
        if not to_pay:
            return None

        shares, award_limited = _share_out_caps(session, to_pay, set(claim_starts), facts, references)
        # An invoice whose share comes to £0 (the cap already used) is never a payment line.
        _record_nothing_to_pay(
            session, actor, [(c, w) for (c, w), share in zip(to_pay, shares, strict=True) if share == 0]
        )
        paying = [(item, share) for item, share in zip(to_pay, shares, strict=True) if share > 0]
        if not paying:
            return None
        to_pay, shares = [item for item, _ in paying], [share for _, share in paying]
        batch = PaymentBatch(
            id=uuid.uuid4(), payment_date=payment_date, built_by_id=actor.staff_id, built_at=now
        )
        session.add(batch)
        owed: dict[uuid.UUID, int] = defaultdict(int)
        for (candidate, _where), dwp_pence in zip(to_pay, shares, strict=True):
            owed[candidate.provider_id] += dwp_pence
        payments: dict[uuid.UUID, Payment] = {}
        for provider_id in sorted(owed, key=str):
            payments[provider_id] = _new_payment(session, batch, payees[provider_id])
            payments[provider_id].amount_pence = owed[provider_id]
        batch.payment_count, batch.invoice_count = len(payments), len(to_pay)
        session.flush()  # the payments exist before their allocations and credit notes point at them

        batched = [
            repository.Batched(
                candidate.id,
                candidate.version,
                candidate.status,
                candidate.invoice_number,
                candidate.provider_id,
                payments[candidate.provider_id].id,
                where.start,
                where.end,
                dwp_pence,
                candidate.total_pence - dwp_pence,
            )
            for (candidate, where), dwp_pence in zip(to_pay, shares, strict=True)
        ]
        _record_batched(session, actor, batch, batched)
        repository.write_batched(session, batched, now)
        repository.mark_award_limited(session, [item.invoice_id for item in batched], award_limited)
        for payment in payments.values():
            take_credit_notes(session, payment, actor)
        batch.total_pence = sum(payment.amount_pence for payment in payments.values())
        batch.approvals_required = approvals_required(
            batch.total_pence, [p.amount_pence for p in payments.values()]
        )
        audit.record(
            session,
            "batch.built",
            batch,
            actor,
            {**control_totals(batch), "approvals_required": batch.approvals_required},
        )
        if for_approval:
            move_batch(session, batch, BatchStatus.AWAITING_APPROVAL, actor)
    return batch


def approvals_required(total_pence: int, payments_pence: list[int]) -> int:
    """Two different approvers for a batch over the configured total or with any payment over the
    configured amount (``BATCH_TWO_APPROVERS_OVER_PENCE``, ``PAYMENT_TWO_APPROVERS_OVER_PENCE``)."""
    cfg = settings.current()
    large = total_pence > cfg.batch_two_approvers_over_pence or any(
        amount > cfg.payment_two_approvers_over_pence for amount in payments_pence
    )
    return 2 if large else 1


def _arrival_day(payee: Payee, payment_date: date) -> date:
    """When money sent on ``payment_date`` reaches the provider: at once by Stripe Connect, on the
    Bacs entry day (a file sent that day is processed the next Bacs day, and credited the day after)."""
    if payee.rail is PayeeRail.STRIPE:
        return payment_date
    return bacs.entry_day(bacs.processing_day(payment_date))


def _record_nothing_to_pay(session: Session, actor: Actor, nothing: list[tuple[Any, Attribution]]) -> None:
    """Invoices DWP pays nothing for in the period they count in: the parent owes the whole amount,
    and the parent is told (few: objects)."""
    if not nothing:
        return
    where = {candidate.id: attribution for candidate, attribution in nothing}
    for invoice in repository.invoices_by_id(session, set(where)):
        if invoice.status is InvoiceStatus.PAYMENT_FAILED:
            move_invoice(
                session, invoice, InvoiceStatus.APPROVED, actor, reason="paid again after a failed payment"
            )
        invoice.ap_start, invoice.ap_end = where[invoice.id].start, where[invoice.id].end
        invoice.set_share(0)
        move_invoice(
            session,
            invoice,
            InvoiceStatus.NOTHING_TO_PAY,
            actor,
            dwp_pence=0,
            claimant_pence=invoice.claimant_pence,
            ap_start=invoice.ap_start.isoformat(),
        )
        parent = repository.parent_of(session, invoice)
        notify.queue_email(
            session,
            to=parent.email,
            template="invoice_nothing_to_pay",
            reference=f"nothing-to-pay-{invoice.id}",
            invoice_number=invoice.invoice_number,
            parent=format_pence(invoice.claimant_pence),
            link=link(f"/account/invoices/{invoice.id}"),
        )


def _hold_newly_flagged(session: Session, actor: Actor, newly_flagged: dict[uuid.UUID, set[str]]) -> None:
    """Invoices that picked up a flag since they were approved go to the review queue (few: objects)."""
    if not newly_flagged:
        return
    for invoice in repository.invoices_by_id(session, set(newly_flagged)):
        if invoice.status is InvoiceStatus.PAYMENT_FAILED:
            move_invoice(
                session, invoice, InvoiceStatus.APPROVED, actor, reason="paid again after a failed payment"
            )
        invoice.flags = sorted({*invoice.flags, *newly_flagged[invoice.id]})
        move_invoice(session, invoice, InvoiceStatus.ON_HOLD, actor, flags=sorted(newly_flagged[invoice.id]))


def _share_out_caps(
    session: Session,
    to_pay: Sequence[tuple[Any, Attribution]],
    parent_ids: set[uuid.UUID],
    facts: ClaimFacts,
    references: dict[uuid.UUID, str | None],
) -> tuple[list[int], set[uuid.UUID]]:
    """DWP's share of each invoice, in order: the most DWP may pay for a parent in an AP (the
    monthly maximum, or the UC award's childcare element when known and lower) is shared by what
    is already frozen there (batched or paid) and then this batch's invoices, first come first
    served. Also the invoices the award, not the maximum, left with less."""
    usage = repository.frozen_usage(session, parent_ids)
    children_now: dict[tuple[uuid.UUID, date], set[uuid.UUID]] = defaultdict(set)
    for candidate, where in to_pay:
        children_now[(candidate.parent_id, where.start)].add(candidate.child_id)
    shares: list[int] = []
    award_limited: set[uuid.UUID] = set()
    for candidate, where in to_pay:
        key = (candidate.parent_id, where.start)
        used, children = usage.get(key, (0, set()))
        invoiced = len(children | children_now[key])
        most, by_award = facts.most_for(references[candidate.parent_id], where.start, invoiced)
        full = full_share_pence(candidate.eligible_pence)
        share = within_cap(full, most - used, candidate.eligible_pence).dwp_pence
        cap = monthly_cap_pence(invoiced, where.start)
        if by_award and share < within_cap(full, cap - used, candidate.eligible_pence).dwp_pence:
            award_limited.add(candidate.id)
        usage[key] = (used + share, children)
        shares.append(share)
    return shares, award_limited


def _record_batched(
    session: Session, actor: Actor, batch: PaymentBatch, batched: list[repository.Batched]
) -> None:
    """Each invoice's moves (a failed one approved again first), recorded as ``move`` would."""
    move_rows(
        session,
        INVOICE,
        InvoiceStatus.APPROVED,
        actor,
        [
            Moved(
                item.invoice_id,
                item.was,
                item.provider_id,
                {"invoice_number": item.invoice_number},
                {"reason": "paid again after a failed payment"},
            )
            for item in batched
            if item.was is InvoiceStatus.PAYMENT_FAILED
        ],
    )
    batch_id = str(batch.id)
    move_rows(
        session,
        INVOICE,
        InvoiceStatus.BATCHED,
        actor,
        [
            Moved(
                item.invoice_id,
                InvoiceStatus.APPROVED,
                item.provider_id,
                {"invoice_number": item.invoice_number},
                {
                    "batch_id": batch_id,
                    "payment_id": str(item.payment_id),
                    "dwp_pence": item.dwp_pence,
                    "claimant_pence": item.claimant_pence,
                },
            )
            for item in batched
        ],
    )


def _new_payment(session: Session, batch: PaymentBatch, payee: Payee) -> Payment:
    """A payment to the provider's payee as it is now: its Stripe connected account, or a Bacs
    credit to its bank account. The payee is remembered, so a later change is noticed."""
    payment_id = uuid.uuid4()
    destination: dict[str, object]
    if payee.rail is PayeeRail.STRIPE:
        destination = {"rail": Rail.STRIPE, "destination_stripe_account": payee.stripe_account_id}
    else:
        destination = {
            "rail": Rail.BACS,
            "destination_sort_code": payee.sort_code,
            "destination_account_number": payee.account_number,
            "destination_account_name": payee.account_name,
        }
    payment = Payment(
        id=payment_id,
        batch=batch,
        provider_id=payee.provider_id,
        payee_id=payee.id,
        amount_pence=0,
        reference=payment_reference(payment_id),
        allocations=[],
        **destination,
    )
    session.add(payment)
    return payment


def control_totals(batch: PaymentBatch) -> dict[str, object]:
    return {
        "payment_count": batch.payment_count,
        "invoice_count": batch.invoice_count,
        "total_pence": batch.total_pence,
        "per_provider": {str(p.provider_id): p.amount_pence for p in batch.payments},
    }
