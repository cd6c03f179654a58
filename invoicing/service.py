"""Invoice and payment use cases: the whole life cycle, from submission to paid.

Each public function is one use case and one transaction: it checks who is acting and what the
rules allow, makes the change through the models' whitelisted transitions, records an audit event
for every change, and commits once. A ``DomainError`` means nothing was changed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from claimants import service as claimants_service
from claimants.models import Child, Parent
from claimants.rules import childcare_age_limit
from config import audit, notify, settings
from config.auth import Actor, ActorKind, StaffRole
from config.database import transaction, utcnow
from config.errors import (
    ChildOverAgeLimit,
    ConcurrentChange,
    DomainError,
    DuplicateInvoiceNumber,
    FieldError,
    NotFound,
    ProviderNotActive,
    SelfApprovalForbidden,
    ValidationFailed,
    rule,
)
from config.formatting import london_date
from config.money import format_pence
from config.states import check as check_move
from invoicing import repository
from invoicing.eligibility import Attribution, attribute, days_inclusive
from invoicing.entitlement import childcare_award
from invoicing.models import (
    INVOICE_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    BatchStatus,
    CreditNote,
    Invoice,
    InvoiceFlag,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentBatch,
    PaymentStatus,
    Rail,
)
from providers import repository as providers_repository
from providers import webhooks
from providers.models import IdempotencyKey, Provider, ProviderStatus

LONDON = ZoneInfo("Europe/London")
MAX_CARE_DAYS = 92
# Arbitrary constant naming the batch builders' PostgreSQL advisory lock.
BATCH_BUILD_LOCK = 0x43434242  # "CCBB"


def today_in_london(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LONDON).date()


# --- submission ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LineInput:
    description: str
    amount_pence: int
    eligible: bool
    hours: Decimal | None = None


@dataclass(frozen=True)
class InvoiceInput:
    consent_id: uuid.UUID
    invoice_number: str
    issued_on: date
    care_from: date
    care_to: date
    lines: tuple[LineInput, ...] = field(default_factory=tuple)
    source: str = "portal"

    def to_plain(self) -> dict[str, Any]:
        """JSON-ready, to keep between requests (a draft) or between steps (a checked upload)."""
        return {
            "consent_id": str(self.consent_id),
            "invoice_number": self.invoice_number,
            "issued_on": self.issued_on.isoformat(),
            "care_from": self.care_from.isoformat(),
            "care_to": self.care_to.isoformat(),
            "lines": [_plain_line(line) for line in self.lines],
        }

    @classmethod
    def from_plain(cls, plain: dict[str, Any], source: str = "portal") -> InvoiceInput:
        return cls(
            consent_id=uuid.UUID(plain["consent_id"]),
            invoice_number=plain["invoice_number"],
            issued_on=date.fromisoformat(plain["issued_on"]),
            care_from=date.fromisoformat(plain["care_from"]),
            care_to=date.fromisoformat(plain["care_to"]),
            lines=tuple(
                LineInput(
                    line["description"],
                    line["amount_pence"],
                    line["eligible"],
                    Decimal(line["hours"]) if line["hours"] is not None else None,
                )
                for line in plain["lines"]
            ),
            source=source,
        )


def _plain_line(line: LineInput) -> dict[str, Any]:
    return {
        "description": line.description,
        "amount_pence": line.amount_pence,
        "eligible": line.eligible,
        "hours": str(line.hours) if line.hours is not None else None,
    }


@dataclass(frozen=True)
class Share:
    """What DWP expects to pay for an invoice in the AP it counts in, and why it is less."""

    dwp_pence: int
    over_cap: bool


def _check_shape(data: InvoiceInput, today: date) -> None:
    errors: list[FieldError] = []
    number = data.invoice_number.strip()
    if not number:
        errors.append(FieldError("invoice_number", "Enter the invoice number"))
    elif len(number) > 40:
        errors.append(FieldError("invoice_number", "Invoice number must be 40 characters or fewer"))
    if data.issued_on > today:
        errors.append(FieldError("issued_on", "The invoice date must be today or in the past"))
    if data.care_from > data.care_to:
        errors.append(
            FieldError("care_to", "The end of the care period must be the same as or after the start")
        )
    elif days_inclusive(data.care_from, data.care_to) > MAX_CARE_DAYS:
        errors.append(FieldError("care_to", f"The care period must be {MAX_CARE_DAYS} days or fewer"))
    if not data.lines:
        errors.append(FieldError("lines", "Add at least one line"))
    for index, line in enumerate(data.lines):
        where = f"lines[{index}]"
        if not line.description.strip():
            errors.append(FieldError(f"{where}.description", "Enter a description"))
        elif len(line.description.strip()) > 200:
            errors.append(FieldError(f"{where}.description", "Description must be 200 characters or fewer"))
        if isinstance(line.amount_pence, bool) or not isinstance(line.amount_pence, int):
            errors.append(FieldError(f"{where}.amount_pence", "Amount must be a whole number of pence"))
        elif line.amount_pence <= 0:
            errors.append(FieldError(f"{where}.amount_pence", "Amount must be more than £0"))
        elif line.amount_pence > 10_000_000:
            errors.append(FieldError(f"{where}.amount_pence", "Amount must be £100,000 or less"))
        if line.hours is not None and (line.hours < 0 or line.hours > 2400):
            errors.append(FieldError(f"{where}.hours", "Hours must be between 0 and 2,400"))
    if errors:
        raise ValidationFailed("The invoice is not valid", errors=errors)


def _expected_share(
    session: Session, parent_id: uuid.UUID, child_id: uuid.UUID, ap_start: date, eligible_pence: int
) -> Share:
    """85% of the eligible costs within the cap left in the AP: later invoices get what is left."""
    used, children = repository.cap_usage(session, parent_id, ap_start)
    award = childcare_award(eligible_pence, len(children | {child_id}), ap_start)
    return _within(award.dwp_pence, award.cap_pence - used, eligible_pence)


def _within(dwp_pence: int, cap_left: int, eligible_pence: int) -> Share:
    share = max(0, min(dwp_pence, cap_left))
    return Share(share, over_cap=share < eligible_pence * 85 // 100)


def _anomalies(
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
    account = providers_repository.current_bank_account(session, provider.id)
    cooling_off = timedelta(days=cfg.bank_change_cooling_off_days)
    if account is not None and account.hold_until is not None and account.created_at > now - cooling_off:
        flags.append(InvoiceFlag.RECENT_BANK_CHANGE)
    before, recent = repository.provider_volume(
        session, provider.id, now - timedelta(days=120), now - timedelta(days=30), now
    )
    recent += 1
    if recent > max(cfg.volume_spike_floor, cfg.volume_spike_factor * before / 3):
        flags.append(InvoiceFlag.VOLUME_SPIKE)
    return flags


@dataclass(frozen=True)
class Preview:
    """What an invoice would come to if sent now: shown before a person presses "Send"."""

    child_name: str
    total_pence: int
    eligible_pence: int
    dwp_pence: int
    claimant_pence: int
    ap_start: date
    ap_end: date
    over_cap: bool


def preview_invoice(session: Session, actor: Actor, data: InvoiceInput) -> Preview:
    """The same checks and sums as ``submit_invoice``, saving nothing.

    A provider still waiting for DWP's verification may prepare (and preview) invoices.
    """
    provider_id = actor.require_provider()
    now = utcnow()
    _check_shape(data, today_in_london(now))
    consent = claimants_service.live_consent(session, data.consent_id, provider_id, now)
    child = session.get_one(Child, consent.child_id)
    parent = session.get_one(Parent, child.parent_id)
    if parent.claim_start_date is None:
        raise rule("claim_not_linked", "Claim not linked", "The parent has not yet linked their claim")
    total = sum(line.amount_pence for line in data.lines)
    eligible = sum(line.amount_pence for line in data.lines if line.eligible)
    where = attribute(parent.claim_start_date, data.care_from, data.care_to, paid_on=today_in_london(now))
    share = _expected_share(session, parent.id, child.id, where.start, eligible)
    session.rollback()  # only read: end the transaction the queries opened
    return Preview(
        f"{child.first_name} {child.last_name}",
        total,
        eligible,
        share.dwp_pence,
        total - share.dwp_pence,
        where.start,
        where.end,
        share.over_cap,
    )


def check_invoice_shape(data: InvoiceInput) -> None:
    """The checks that need no database (for a spreadsheet's dry run): ``ValidationFailed``."""
    _check_shape(data, today_in_london())


@dataclass(frozen=True)
class Idempotency:
    """An API client's Idempotency-Key with a hash of the request body it came with."""

    api_client_id: uuid.UUID
    key: str
    request_hash: str


class IdempotencyKeyReused(DomainError):
    status = 409
    code = "idempotency_key_reused"
    title = "Idempotency-Key already used"


def submit_invoice(session: Session, actor: Actor, data: InvoiceInput) -> Invoice:
    """A provider invoices DWP for one child's care, under the parent's live consent.

    Refused (nothing saved) when the provider is not active (422 ``provider_not_active``), the
    consent is not theirs (404) or not live (422 ``consent_not_authorised``), the child is over
    the age limit for the whole period, the number is already used (422
    ``duplicate_invoice_number``) or the invoice is malformed (422 ``validation_failed``).
    Anomalies do not refuse it: they are flagged and stop automatic approval. The invoice then
    waits for the parent to confirm it.
    """
    invoice, _replayed = _submit(session, actor, data, None)
    return invoice


def submit_invoice_once(
    session: Session, actor: Actor, data: InvoiceInput, idempotency: Idempotency
) -> tuple[Invoice, bool]:
    """``submit_invoice`` under an Idempotency-Key: ``(invoice, replayed)``.

    The same key with the same body answers the invoice the first request made (``replayed``);
    with another body it is refused (409 ``idempotency_key_reused``). The key is recorded in the
    invoice's own transaction.
    """
    try:
        return _submit(session, actor, data, idempotency)
    except (DuplicateInvoiceNumber, ConcurrentChange):
        # A simultaneous request with the same key may have just made this invoice: answer it.
        earlier = providers_repository.find_idempotency_key(
            session, idempotency.api_client_id, idempotency.key
        )
        if earlier is None or earlier.request_hash != idempotency.request_hash:
            raise
        session.rollback()
        return repository.get_invoice(session, earlier.resource_id), True


def _submit(
    session: Session, actor: Actor, data: InvoiceInput, idempotency: Idempotency | None
) -> tuple[Invoice, bool]:
    provider_id = actor.require_provider()
    now = utcnow()
    today = today_in_london(now)
    number = data.invoice_number.strip()

    def duplicate_number() -> DomainError:
        return DuplicateInvoiceNumber(f"Invoice number {number} has already been used by this provider")

    def key_in_use() -> DomainError:
        return ConcurrentChange("Another request with this Idempotency-Key is being handled: try again")

    conflicts = {"invoice_number": duplicate_number, "idempotency_keys": key_in_use}
    with transaction(session, conflicts):
        if idempotency is not None:
            earlier = providers_repository.find_idempotency_key(
                session, idempotency.api_client_id, idempotency.key
            )
            if earlier is not None:
                if earlier.request_hash != idempotency.request_hash or earlier.endpoint != "invoices.create":
                    raise IdempotencyKeyReused("This Idempotency-Key was used with a different request")
                return repository.get_invoice(session, earlier.resource_id), True
        _check_shape(data, today)
        provider = providers_repository.get_provider(session, provider_id)
        if provider.status is not ProviderStatus.ACTIVE:
            raise ProviderNotActive("DWP must verify the setting before it can submit invoices")
        consent = claimants_service.live_consent(session, data.consent_id, provider_id, now)
        child = session.get_one(Child, consent.child_id)
        parent = session.get_one(Parent, child.parent_id)
        if parent.claim_start_date is None:
            raise rule(
                "claim_not_linked",
                "Claim not linked",
                "The parent has not yet linked their Universal Credit claim",
            )
        limit = childcare_age_limit(child.date_of_birth)
        if data.care_from >= limit:
            raise ChildOverAgeLimit(
                f"Care from {limit:%-d %B %Y} is not eligible: the child is over the age limit",
                errors=[FieldError("care_from", "The child is over the age limit for this care")],
            )
        # A number already used is refused by the unique constraint at commit (``conflicts``).

        total = sum(line.amount_pence for line in data.lines)
        eligible = sum(line.amount_pence for line in data.lines if line.eligible)
        where = attribute(parent.claim_start_date, data.care_from, data.care_to, paid_on=today)
        share = _expected_share(session, parent.id, child.id, where.start, eligible)
        flags = [*where.flags, *_anomalies(session, provider, data, child.id, total, now)]
        if share.over_cap:
            flags.append(InvoiceFlag.OVER_CAP)
        if data.care_to >= limit:
            flags.append(InvoiceFlag.CHILD_OVER_AGE_LIMIT)

        invoice = Invoice(
            id=uuid.uuid4(),
            provider_id=provider_id,
            consent_id=consent.id,
            child_id=child.id,
            parent_id=parent.id,
            invoice_number=number,
            issued_on=data.issued_on,
            care_from=data.care_from,
            care_to=data.care_to,
            total_pence=total,
            eligible_pence=eligible,
            dwp_pence=share.dwp_pence,
            claimant_pence=total - share.dwp_pence,
            ap_start=where.start,
            ap_end=where.end,
            flags=sorted({str(flag) for flag in flags}),
            source=data.source,
            lines=[
                InvoiceLine(
                    position=index,
                    description=line.description.strip(),
                    hours=line.hours,
                    amount_pence=line.amount_pence,
                    eligible=line.eligible,
                )
                for index, line in enumerate(data.lines)
            ],
        )
        session.add(invoice)
        audit.record(
            session,
            "invoice.submitted",
            invoice,
            actor,
            {
                "invoice_number": number,
                "total_pence": total,
                "eligible_pence": eligible,
                "dwp_pence": share.dwp_pence,
                "flags": invoice.flags,
                "source": data.source,
            },
        )
        _move(session, invoice, InvoiceStatus.AWAITING_CONFIRMATION, actor)
        notify.queue_email(
            session,
            to=parent.email,
            template="invoice_to_confirm",
            reference=f"invoice-{invoice.id}",
            provider=provider.name,
            invoice_number=number,
            child=child.first_name,
            care_from=london_date(data.care_from),
            care_to=london_date(data.care_to),
            dwp=format_pence(invoice.dwp_pence),
            parent=format_pence(invoice.claimant_pence),
            link=_link(f"/account/invoices/{invoice.id}"),
        )
        if idempotency is not None:
            session.add(
                IdempotencyKey(
                    api_client_id=idempotency.api_client_id,
                    key=idempotency.key,
                    endpoint="invoices.create",
                    request_hash=idempotency.request_hash,
                    resource_id=invoice.id,
                    created_at=now,
                )
            )
    return invoice, False


def _link(path: str) -> str:
    return settings.current().base_url.rstrip("/") + path


# The invoice states nursery software hears about (API.md "Webhooks out").
_WEBHOOK_STATES = frozenset(
    {InvoiceStatus.CONFIRMED, InvoiceStatus.DISPUTED, InvoiceStatus.APPROVED, InvoiceStatus.REJECTED}
)


def _move(session: Session, invoice: Invoice, target: InvoiceStatus, actor: Actor, **data: object) -> None:
    was = invoice.move_to(target)
    audit.record(session, f"invoice.{target.value}", invoice, actor, {"from": was.value, **data})
    if target in _WEBHOOK_STATES and was is not InvoiceStatus.BATCHED:
        webhooks.queue_event(
            session,
            invoice.provider_id,
            f"invoice.{target.value}",
            {"invoice_id": invoice.id, "invoice_number": invoice.invoice_number, "status": target.value},
        )


# --- the parent -------------------------------------------------------------------------------


def _parents_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    parent_id = actor.require_parent()
    invoice = repository.get_invoice(session, invoice_id, for_update=True)
    if invoice.parent_id != parent_id:
        raise NotFound("No invoice with that id")
    return invoice


def confirm_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID) -> Invoice:
    """The parent confirms the care was given and the amounts are right. Only they can do this."""
    with transaction(session):
        invoice = _parents_invoice(session, actor, invoice_id)
        _move(session, invoice, InvoiceStatus.CONFIRMED, actor)
        invoice.confirmed_at = utcnow()
    return invoice


def dispute_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str) -> Invoice:
    """The parent disputes the invoice; it goes to DWP's review queue."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Say why you disagree", errors=[FieldError("reason", "Enter why you disagree with the invoice")]
        )
    with transaction(session):
        invoice = _parents_invoice(session, actor, invoice_id)
        _move(session, invoice, InvoiceStatus.DISPUTED, actor, reason=reason)
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


# --- automatic checks and caseworkers ---------------------------------------------------------


def run_automatic_checks(session: Session, actor: Actor, limit: int = 500) -> dict[str, int]:
    """Scheduled: clean confirmed invoices are approved; flagged ones go on hold for review.

    Safe to run twice: it only takes invoices still ``confirmed``.
    """
    counts = {"approved": 0, "on_hold": 0}
    with transaction(session):
        for invoice in repository.invoices_in_state(session, InvoiceStatus.CONFIRMED, limit):
            if invoice.flags:
                _move(session, invoice, InvoiceStatus.ON_HOLD, actor, flags=invoice.flags)
                counts["on_hold"] += 1
            else:
                _move(session, invoice, InvoiceStatus.APPROVED, actor)
                counts["approved"] += 1
    return counts


def _decide(
    session: Session, actor: Actor, invoice_id: uuid.UUID, target: InvoiceStatus, reason: str
) -> Invoice:
    actor.require_role(StaffRole.CASEWORKER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give a reason", errors=[FieldError("reason", "Enter a reason for your decision")]
        )
    with transaction(session):
        invoice = repository.get_invoice(session, invoice_id, for_update=True)
        _move(session, invoice, target, actor, reason=reason)
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


def cancel_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str = "") -> Invoice:
    """The provider withdraws an invoice; only before it is batched (after that, a credit note)."""
    provider_id = actor.require_provider()
    with transaction(session):
        invoice = repository.get_invoice(session, invoice_id, for_update=True)
        if invoice.provider_id != provider_id:
            raise NotFound("No invoice with that id")
        _move(session, invoice, InvoiceStatus.CANCELLED, actor, reason=reason.strip())
    return invoice


# --- payment batches --------------------------------------------------------------------------


def _payment_reference(payment_id: uuid.UUID) -> str:
    return f"CCD {payment_id.hex[:12].upper()}"


def build_batch(session: Session, actor: Actor, payment_date: date | None = None) -> PaymentBatch | None:
    """Gather every approved (or failed and due again) invoice of payable providers into one draft batch.

    One payment per provider, an allocation per invoice. Each invoice's assessment period and
    DWP share are decided again for the payment date and frozen: the cap is shared by all of a
    parent's invoices counting in one AP, in order, so later invoices get what is left. An
    invoice that picks up a new flag on the way goes on hold instead. Builders take turns (an
    advisory lock on PostgreSQL) and skip invoices another transaction holds, so no invoice is
    ever in two batches. Returns ``None`` when there is nothing to pay.

    A day's batch can hold 100,000 invoices, so they are read as rows and written with one
    statement (``repository.write_batched``), each still with its own audit event.
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
        payable = providers_repository.payable_provider_ids(session, {c.provider_id for c in candidates}, now)
        candidates = [c for c in candidates if c.provider_id in payable]
        if not candidates:
            return None
        claim_starts = {
            row.id: row.claim_start_date
            for row in session.execute(
                select(Parent.id, Parent.claim_start_date).where(
                    Parent.id.in_({c.parent_id for c in candidates})
                )
            )
        }
        to_pay: list[tuple[Any, Attribution]] = []
        newly_flagged: dict[uuid.UUID, set[str]] = {}
        for candidate in candidates:
            where = attribute(
                claim_starts[candidate.parent_id], candidate.care_from, candidate.care_to, payment_date
            )
            had = json.loads(candidate.flags_json) if candidate.flags_json else ()
            new_flags = set(where.flags).difference(had)
            if new_flags:
                newly_flagged[candidate.id] = new_flags
            else:
                to_pay.append((candidate, where))
        _hold_newly_flagged(session, actor, newly_flagged)
        if not to_pay:
            return None

        batch = PaymentBatch(
            id=uuid.uuid4(), payment_date=payment_date, built_by_id=actor.staff_id, built_at=now
        )
        session.add(batch)
        shares = _share_out_caps(session, to_pay, set(claim_starts))
        owed: dict[uuid.UUID, int] = defaultdict(int)
        for (candidate, _where), dwp_pence in zip(to_pay, shares, strict=True):
            owed[candidate.provider_id] += dwp_pence
        providers = {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(owed)))}
        payments: dict[uuid.UUID, Payment] = {}
        for provider_id in sorted(owed, key=str):
            payments[provider_id] = _new_payment(session, batch, providers[provider_id])
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
        _check_batched_moves({item.was for item in batched})
        repository.write_batched(session, batched, now)
        _audit_batched(session, actor, batch, batched)
        for payment in payments.values():
            _take_credit_notes(session, payment, actor)
        batch.total_pence = sum(payment.amount_pence for payment in payments.values())
        audit.record(session, "batch.built", batch, actor, _control_totals(batch))
    return batch


def _hold_newly_flagged(session: Session, actor: Actor, newly_flagged: dict[uuid.UUID, set[str]]) -> None:
    """Invoices that picked up a flag since they were approved go to the review queue (few: objects)."""
    if not newly_flagged:
        return
    for invoice in session.scalars(select(Invoice).where(Invoice.id.in_(newly_flagged))):
        if invoice.status is InvoiceStatus.PAYMENT_FAILED:
            _move(session, invoice, InvoiceStatus.APPROVED, actor, reason="paid again after a failed payment")
        invoice.flags = sorted({*invoice.flags, *newly_flagged[invoice.id]})
        _move(session, invoice, InvoiceStatus.ON_HOLD, actor, flags=sorted(newly_flagged[invoice.id]))


def _share_out_caps(
    session: Session, to_pay: Sequence[tuple[Any, Attribution]], parent_ids: set[uuid.UUID]
) -> list[int]:
    """DWP's share of each invoice, in order: each parent's cap in an AP is shared by what is
    already frozen there (batched or paid) and then this batch's invoices, first come first served."""
    usage = repository.frozen_usage(session, parent_ids)
    children_now: dict[tuple[uuid.UUID, date], set[uuid.UUID]] = defaultdict(set)
    for candidate, where in to_pay:
        children_now[(candidate.parent_id, where.start)].add(candidate.child_id)
    shares: list[int] = []
    for candidate, where in to_pay:
        key = (candidate.parent_id, where.start)
        used, children = usage.get(key, (0, set()))
        award = childcare_award(candidate.eligible_pence, len(children | children_now[key]), where.start)
        share = _within(award.dwp_pence, award.cap_pence - used, candidate.eligible_pence).dwp_pence
        usage[key] = (used + share, children)
        shares.append(share)
    return shares


def _check_batched_moves(states: set[InvoiceStatus]) -> None:
    """The whitelist allows every move the batch writes as rows (payment failed → approved → batched)."""
    for was in states:
        path = [was, InvoiceStatus.APPROVED] if was is InvoiceStatus.PAYMENT_FAILED else [was]
        for current, target in pairwise([*path, InvoiceStatus.BATCHED]):
            check_move(current, target, INVOICE_TRANSITIONS, "invoice")


def _audit_batched(
    session: Session, actor: Actor, batch: PaymentBatch, batched: list[repository.Batched]
) -> None:
    """The audit events (and webhooks) ``_move`` would have written for each invoice of the batch."""
    again = [item for item in batched if item.was is InvoiceStatus.PAYMENT_FAILED]
    audit.record_many(
        session,
        "invoice.approved",
        Invoice.__tablename__,
        actor,
        (
            (item.invoice_id, {"from": item.was.value, "reason": "paid again after a failed payment"})
            for item in again
        ),
    )
    webhooks.queue_events(
        session,
        (
            (
                item.provider_id,
                "invoice.approved",
                {"invoice_id": item.invoice_id, "invoice_number": item.invoice_number, "status": "approved"},
            )
            for item in again
        ),
    )
    batch_id = str(batch.id)
    audit.record_many(
        session,
        "invoice.batched",
        Invoice.__tablename__,
        actor,
        (
            (
                item.invoice_id,
                {
                    "from": InvoiceStatus.APPROVED.value,
                    "batch_id": batch_id,
                    "payment_id": str(item.payment_id),
                    "dwp_pence": item.dwp_pence,
                    "claimant_pence": item.claimant_pence,
                },
            )
            for item in batched
        ),
    )


def _take_credit_notes(session: Session, payment: Payment, actor: Actor) -> None:
    """Net the provider's outstanding credit notes off the payment, oldest first, whole notes only,
    leaving something to pay (a note bigger than what is left waits for a later payment)."""
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


def _release_credit_notes(session: Session, payment_ids: list[uuid.UUID]) -> None:
    """The payment will not be made: its credit notes are outstanding again."""
    for note in repository.credit_notes_of_payments(session, payment_ids):
        note.payment_id = None


def _new_payment(session: Session, batch: PaymentBatch, provider: Provider) -> Payment:
    """A payment to the provider's connected Stripe account, else a Bacs credit to their bank."""
    payment_id = uuid.uuid4()
    destination: dict[str, object]
    if provider.stripe_account_id:
        destination = {"rail": Rail.STRIPE, "destination_stripe_account": provider.stripe_account_id}
    else:
        account = providers_repository.current_bank_account(session, provider.id)
        assert account is not None  # payable_provider_ids only lets through providers with one
        destination = {
            "rail": Rail.BACS,
            "destination_sort_code": account.sort_code,
            "destination_account_number": account.account_number,
            "destination_account_name": account.account_name,
        }
    payment = Payment(
        id=payment_id,
        batch=batch,
        provider_id=provider.id,
        amount_pence=0,
        reference=_payment_reference(payment_id),
        allocations=[],
        **destination,
    )
    session.add(payment)
    return payment


def _control_totals(batch: PaymentBatch) -> dict[str, object]:
    return {
        "payment_count": batch.payment_count,
        "invoice_count": batch.invoice_count,
        "total_pence": batch.total_pence,
        "per_provider": {str(p.provider_id): p.amount_pence for p in batch.payments},
    }


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


def request_batch_approval(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        batch = repository.get_batch(session, batch_id, for_update=True)
        batch.move_to(BatchStatus.AWAITING_APPROVAL)
        audit.record(session, "batch.awaiting_approval", batch, actor)
    return batch


def approve_batch(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    """An approver who did not build the batch approves it; it is frozen with its content hash.

    Refused with ``SelfApprovalForbidden`` for its builder (and by a database constraint); a
    second approval of the same batch finds it already approved and is refused.
    """
    if actor.kind is not ActorKind.STAFF:
        raise SelfApprovalForbidden("A batch must be approved by a DWP approver")
    actor.require_role(StaffRole.APPROVER)

    def four_eyes() -> DomainError:
        return SelfApprovalForbidden("A batch must be approved by someone other than the person who built it")

    with transaction(session, {"approver_is_not_builder": four_eyes}):
        repository.get_batch(session, batch_id, for_update=True)
        batch = repository.batch_with_payments(session, batch_id)
        assert actor.id is not None
        frozen = content_hash(batch, repository.live_allocations(session, batch_id))
        batch.approve(by=actor.id, at=utcnow(), content_hash=frozen)
        audit.record(
            session,
            "batch.approved",
            batch,
            actor,
            {"content_hash": batch.content_hash, **_control_totals(batch)},
        )
    return batch


def cancel_batch(session: Session, actor: Actor, batch_id: uuid.UUID, reason: str) -> PaymentBatch:
    """Before submission only: the batch's invoices go back to approved for the next batch."""
    actor.require_role(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give a reason", errors=[FieldError("reason", "Enter why the batch is cancelled")]
        )
    with transaction(session):
        batch = repository.get_batch(session, batch_id, for_update=True)
        batch.move_to(BatchStatus.CANCELLED)
        batch.cancelled_at, batch.cancel_reason = utcnow(), reason[:1000]
        _release_credit_notes(session, [p.id for p in batch.payments])
        for allocation, invoice in repository.live_invoices_of_payments(
            session, [p.id for p in batch.payments]
        ):
            allocation.live = False
            _move(
                session, invoice, InvoiceStatus.APPROVED, actor, reason="batch cancelled", batch_id=batch.id
            )
        audit.record(session, "batch.cancelled", batch, actor, {"reason": reason})
    return batch


def submit_batch(session: Session, actor: Actor, batch_id: uuid.UUID) -> PaymentBatch:
    """Mark an approved batch as handed to the payment rails, after re-checking its hash."""
    actor.require_role(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)
    with transaction(session):
        repository.get_batch(session, batch_id, for_update=True)
        batch = repository.batch_with_payments(session, batch_id)
        if batch.status is BatchStatus.APPROVED:
            verify_frozen(session, batch)
        batch.move_to(BatchStatus.SUBMITTED)
        batch.submitted_at = utcnow()
        audit.record(session, "batch.submitted", batch, actor, {"content_hash": batch.content_hash})
    return batch


# --- payments ---------------------------------------------------------------------------------


def _payment_event(
    session: Session, payment: Payment, target: PaymentStatus, actor: Actor, **data: object
) -> None:
    was = payment.move_to(target)
    audit.record(session, f"payment.{target.value}", payment, actor, {"from": was.value, **data})
    event = {PaymentStatus.SENT: "sent", PaymentStatus.PAID: "paid"}.get(target, "failed")
    if target is not PaymentStatus.UNKNOWN:
        webhooks.queue_event(
            session,
            payment.provider_id,
            f"payment.{event}",
            {"payment_id": payment.id, "amount_pence": payment.amount_pence, "status": target.value},
        )


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
    _payment_event(session, payment, PaymentStatus.SENT, actor, rail_reference=rail_reference)
    payment.rail_reference, payment.sent_at = rail_reference, utcnow()


def record_payment_unknown(session: Session, actor: Actor, payment_id: uuid.UUID, detail: str) -> Payment:
    """The rail did not answer: the payment waits for reconciliation, never for a guess."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        payment = repository.get_payment(session, payment_id, for_update=True)
        _payment_event(session, payment, PaymentStatus.UNKNOWN, actor, detail=detail)
    return payment


def record_payment_paid(session: Session, actor: Actor, payment_id: uuid.UUID) -> Payment:
    """The rail confirms the money arrived: the payment's invoices are paid."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        payment = repository.get_payment(session, payment_id, for_update=True)
        _payment_event(session, payment, PaymentStatus.PAID, actor)
        payment.paid_at = utcnow()
        for _allocation, invoice in repository.live_invoices_of_payments(session, [payment.id]):
            _move(session, invoice, InvoiceStatus.PAID, actor, payment_id=payment.id)
        _settle_batch_if_done(session, payment.batch, actor)
    return payment


def record_payments_paid(session: Session, actor: Actor, payment_ids: Sequence[uuid.UUID]) -> int:
    """``record_payment_paid`` for many payments in one transaction (reconciliation's bulk path).

    Only payments still ``sent`` move (one another reconciler has just recorded is left alone);
    returns how many did. Each payment and invoice gets its audit event and webhook as one at a
    time would; the rows are read and written a table at a time, not an object at a time, as
    reconciliation records 100,000 payments a day. Keep ``payment_ids`` to a few thousand: they
    are locked together.
    """
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        now = utcnow()
        payments = repository.lock_payments(session, payment_ids, PaymentStatus.SENT)
        if not payments:
            return 0
        check_move(PaymentStatus.SENT, PaymentStatus.PAID, PAYMENT_TRANSITIONS, "payment")
        invoices = repository.lock_live_invoices(session, [payment.id for payment in payments])
        for was in {invoice.status for invoice in invoices}:
            check_move(was, InvoiceStatus.PAID, INVOICE_TRANSITIONS, "invoice")
        repository.write_paid(session, [payment.id for payment in payments], now)
        audit.record_many(
            session,
            "payment.paid",
            Payment.__tablename__,
            actor,
            ((payment.id, {"from": PaymentStatus.SENT.value}) for payment in payments),
        )
        audit.record_many(
            session,
            "invoice.paid",
            Invoice.__tablename__,
            actor,
            (
                (invoice.id, {"from": invoice.status.value, "payment_id": str(invoice.payment_id)})
                for invoice in invoices
            ),
        )
        webhooks.queue_events(
            session,
            (
                (
                    payment.provider_id,
                    "payment.paid",
                    {"payment_id": payment.id, "amount_pence": payment.amount_pence, "status": "paid"},
                )
                for payment in payments
            ),
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
        target = PaymentStatus.RETURNED if payment.status is PaymentStatus.PAID else PaymentStatus.FAILED
        _payment_event(session, payment, target, actor, reason=reason)
        payment.failed_at, payment.failure_reason = utcnow(), reason[:500]
        _release_credit_notes(session, [payment.id])
        for allocation, invoice in repository.live_invoices_of_payments(session, [payment.id]):
            allocation.live = False
            _move(session, invoice, InvoiceStatus.PAYMENT_FAILED, actor, payment_id=payment.id, reason=reason)
        for email in providers_repository.admin_emails(session, payment.provider_id):
            notify.queue_email(
                session,
                to=email,
                template="payment_failed",
                reference=f"payment-failed-{payment.id}-{email}",
                amount=format_pence(payment.amount_pence),
                reference_code=payment.reference,
                reason=reason[:200],
                link=_link(f"/provider/payments/{payment.id}"),
            )
        _settle_batch_if_done(session, payment.batch, actor)
    return payment


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
    batch.move_to(target)
    batch.finished_at = utcnow()
    audit.record(session, f"batch.{target.value}", batch, actor)


# --- waiting for the parent -------------------------------------------------------------------

REMINDER_AFTER = (timedelta(days=3), timedelta(days=7))
ESCALATE_AFTER = timedelta(days=14)


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
                    link=_link(f"/account/invoices/{invoice.id}"),
                )
                audit.record(session, "invoice.reminder_sent", invoice, actor, {"reminder": due})
                counts["reminded"] += 1
            if age >= ESCALATE_AFTER and invoice.escalated_at is None:
                invoice.escalated_at = now
                audit.record(session, "invoice.escalated", invoice, actor, {"days_waiting": age.days})
                counts["escalated"] += 1
    return counts


# --- credit notes -----------------------------------------------------------------------------

MAX_REASON = 500


def issue_credit_note(
    session: Session, actor: Actor, invoice_id: uuid.UUID, amount_pence: int, reason: str
) -> CreditNote:
    """After DWP paid an invoice, the provider says it was paid too much by ``amount_pence``.

    The amount comes off the provider's next payment. Refused (422) unless the invoice is paid and
    the credits on it stay within what DWP paid for it; another provider's invoice is not found.
    """
    provider_id = actor.require_provider()
    reason = (reason or "").strip()
    errors = []
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int) or amount_pence <= 0:
        errors.append(FieldError("amount_pence", "Amount must be more than £0"))
    if not reason:
        errors.append(FieldError("reason", "Enter the reason for the credit note"))
    elif len(reason) > MAX_REASON:
        errors.append(FieldError("reason", f"Reason must be {MAX_REASON} characters or fewer"))
    if errors:
        raise ValidationFailed("The credit note is not valid", errors=errors)
    with transaction(session):
        invoice = repository.get_invoice(session, invoice_id, for_update=True)
        if invoice.provider_id != provider_id:
            raise NotFound("No invoice with that id")
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
                f"The credit must be {most} or less: what DWP paid for this invoice less earlier credits",
                errors=[FieldError("amount_pence", f"Amount must be {most} or less")],
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
    return note
