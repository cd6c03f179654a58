"""A provider sends an invoice (portal, spreadsheet or API), sees it priced first, or withdraws it.

Each public function is one use case and one transaction; a ``DomainError`` means nothing was
saved.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claimants import service as claimants_service
from claimants.models import Consent, Parent
from claimants.rules import childcare_age_limit
from claims import ClaimSystemUnavailable
from config import audit, notify
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import (
    ChildOverAgeLimit,
    DomainError,
    DuplicateInvoiceNumber,
    FieldError,
    ProviderNotActive,
    ValidationFailed,
    Words,
    rule,
)
from config.formatting import day
from config.money import format_pence
from invoicing import limits, repository
from invoicing.eligibility import Attribution, attribute
from invoicing.entitlement import Share, full_share_pence, monthly_cap_pence, within_cap
from invoicing.models import Invoice, InvoiceFlag, InvoiceLine, InvoiceStatus
from invoicing.service.anomalies import anomalies
from invoicing.service.claim_facts import ClaimFacts
from invoicing.service.common import link, today_in_london
from invoicing.service.transitions import move_invoice
from providers import idempotency as idempotent
from providers import repository as providers_repository
from providers.idempotency import Idempotency
from providers.models import ProviderStatus


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


def _check_shape(data: InvoiceInput, today: date) -> None:
    """The invoice's own limits (``invoicing.limits``), naming each field that breaks one."""
    errors: list[FieldError] = []

    def check(where: str, problem: str | None) -> None:
        if problem is not None:
            errors.append(FieldError(where, problem))

    check("invoice_number", limits.invoice_number_problem(data.invoice_number))
    if data.issued_on > today:
        errors.append(FieldError("issued_on", limits.ISSUED_IN_FUTURE))
    check("care_to", limits.care_period_problem(data.care_from, data.care_to))
    check("lines", limits.lines_problem(len(data.lines)))
    for index, line in enumerate(data.lines):
        where = f"lines[{index}]"
        check(f"{where}.description", limits.description_problem(line.description))
        check(f"{where}.amount_pence", limits.amount_problem(line.amount_pence))
        check(f"{where}.hours", limits.hours_problem(line.hours))
    if errors:
        raise ValidationFailed("The invoice is not valid", errors=errors)


def check_invoice_shape(data: InvoiceInput) -> None:
    """The checks that need no database (for a spreadsheet's dry run): ``ValidationFailed``."""
    _check_shape(data, today_in_london())


def _expected_share(
    session: Session,
    parent: Parent,
    child_id: uuid.UUID,
    where: Attribution,
    eligible_pence: int,
    facts: ClaimFacts,
) -> tuple[Share, bool]:
    """85% of the eligible costs within what is left in the AP of the most DWP may pay there (the
    monthly maximum, or the UC award's childcare element when that is known and lower): later
    invoices get what is left. Also whether the award, not the maximum, lowered the share.

    The claim's facts are read through ``claims``; when its system cannot be asked, the share is
    worked out as before and the facts are checked again when the invoice is batched."""
    used, children = repository.cap_usage(session, parent.id, where.start)
    invoiced = len(children | {child_id})
    full = full_share_pence(eligible_pence)
    cap = monthly_cap_pence(invoiced, where.start)
    try:
        most, by_award = facts.most_for(parent.uc_claim_reference, where.start, invoiced)
    except ClaimSystemUnavailable:
        most, by_award = cap, False
    share = within_cap(full, most - used, eligible_pence)
    award_limited = by_award and share.dwp_pence < within_cap(full, cap - used, eligible_pence).dwp_pence
    return (Share(share.dwp_pence, over_cap=share.over_cap and not award_limited), award_limited)


def _claim_flags(facts: ClaimFacts, parent: Parent, where: Attribution) -> set[str]:
    """The flags the claim's facts put on the invoice (none while its system cannot be asked:
    the batch asks again before anything is paid)."""
    try:
        return facts.flags(parent.uc_claim_reference, (where.start, where.end))
    except ClaimSystemUnavailable:
        return set()


def _claimed_parent(consent: Consent) -> Parent:
    """The parent of the consent's child, once they have linked their Universal Credit claim."""
    assert consent.child is not None  # a live consent names its child
    parent = consent.child.parent
    if parent.claim_start_date is None:
        raise rule(
            "claim_not_linked",
            "Claim not linked",
            "The parent has not yet linked their Universal Credit claim",
        )
    return parent


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
    parent = _claimed_parent(consent)
    child = consent.child
    assert child is not None and parent.claim_start_date is not None
    total = sum(line.amount_pence for line in data.lines)
    eligible = sum(line.amount_pence for line in data.lines if line.eligible)
    where = attribute(parent.claim_start_date, data.care_from, data.care_to, paid_on=today_in_london(now))
    share, _award_limited = _expected_share(session, parent, child.id, where, eligible, ClaimFacts(session))
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
    invoice's own transaction. The invoice is answered as written (every column is set before it
    is written), so the session keeps it after the commit instead of reading it and its lines back.
    """
    session.expire_on_commit = False
    return idempotent.once(
        session,
        idempotency,
        lambda: _submit(session, actor, data, idempotency),
        lambda invoice_id: repository.get_invoice(session, invoice_id),
        DuplicateInvoiceNumber,  # the simultaneous request made this very invoice
    )


def _submit(
    session: Session,
    actor: Actor,
    data: InvoiceInput,
    idempotency: Idempotency | None,
    then: Callable[[Invoice], None] | None = None,
) -> tuple[Invoice, bool]:
    """``then``: more of the same use case, in the invoice's transaction (a sent draft is deleted)."""
    provider_id = actor.require_provider()
    now = utcnow()
    today = today_in_london(now)
    number = data.invoice_number.strip()

    def duplicate_number() -> DomainError:
        return DuplicateInvoiceNumber(
            Words("Invoice number %(number)s has already been used by this provider", number=number)
        )

    conflicts = {"invoice_number": duplicate_number, idempotent.CONFLICT: idempotent.key_in_use}
    with transaction(session, conflicts):
        made_before = idempotent.earlier(session, idempotency)
        if made_before is not None:
            return repository.get_invoice(session, made_before), True
        _check_shape(data, today)
        provider = providers_repository.get_provider(session, provider_id)
        if provider.status is not ProviderStatus.ACTIVE:
            raise ProviderNotActive("DWP must verify the setting before it can submit invoices")
        consent = claimants_service.live_consent(session, data.consent_id, provider_id, now)
        parent = _claimed_parent(consent)
        child = consent.child
        assert child is not None and parent.claim_start_date is not None
        limit = childcare_age_limit(child.date_of_birth)
        if data.care_from >= limit:
            raise ChildOverAgeLimit(
                Words("Care from %(day)s is not eligible: the child is over the age limit", day=day(limit)),
                errors=[FieldError("care_from", "The child is over the age limit for this care")],
            )
        # A number already used is refused by the unique constraint at commit (``conflicts``).

        total = sum(line.amount_pence for line in data.lines)
        eligible = sum(line.amount_pence for line in data.lines if line.eligible)
        where = attribute(parent.claim_start_date, data.care_from, data.care_to, paid_on=today)
        facts = ClaimFacts(session)
        share, award_limited = _expected_share(session, parent, child.id, where, eligible, facts)
        flags = [
            *where.flags,
            *anomalies(session, provider, data, child.id, total, now),
            *_claim_flags(facts, parent, where),
        ]
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
            award_limited=award_limited,
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
        move_invoice(session, invoice, InvoiceStatus.AWAITING_CONFIRMATION, actor)
        notify.queue_email(
            session,
            to=parent.email,
            template="invoice_to_confirm",
            reference=f"invoice-{invoice.id}",
            provider=provider.name,
            invoice_number=number,
            child=child.first_name,
            care_from=day(data.care_from),
            care_to=day(data.care_to),
            dwp=format_pence(invoice.dwp_pence),
            parent=format_pence(invoice.claimant_pence),
            link=link(f"/account/invoices/{invoice.id}"),
        )
        idempotent.remember(session, idempotency, invoice.id)
        if then is not None:
            then(invoice)
    return invoice, False


def cancel_invoice(session: Session, actor: Actor, invoice_id: uuid.UUID, reason: str = "") -> Invoice:
    """The provider withdraws an invoice; only before it is batched (after that, a credit note)."""
    provider_id = actor.require_provider()
    with transaction(session):
        owner = {"provider_id": provider_id}
        invoice = repository.get_invoice(session, invoice_id, for_update=True, owned_by=owner)
        move_invoice(session, invoice, InvoiceStatus.CANCELLED, actor, reason=reason.strip())
    return invoice
