"""DWP's view of the statements sent to the award calculation: every version, the award
differences, and the reconciliation of statements against paid invoices. Changes nothing.

Every paid invoice must be in exactly one current statement. A break is one of:

- ``in_none``: a paid invoice in no current statement, ``GRACE`` after it was paid (until then
  its AP may still be waiting for another invoice of it to be paid);
- ``in_two``: a paid invoice in more than one current statement;
- ``not_paid``: a current statement names an invoice that is not paid (returned, say, while the
  AP waited for another invoice, so the statement has not been corrected yet).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants.models import Parent
from config.database import among, utcnow
from invoicing.models import (
    ApStatement,
    AwardDifference,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
)

GRACE = timedelta(days=5)
# APs reconciled: those that started within this many days.
RECONCILED_DAYS = 400
STATEMENT_PAGE = 100


@dataclass(frozen=True)
class StatementBreak:
    kind: str  # in_none, in_two, not_paid
    invoice_id: uuid.UUID
    invoice_number: str
    status: InvoiceStatus
    parent_id: uuid.UUID
    ap_start: date
    statement_ids: tuple[uuid.UUID, ...]
    paid_at: datetime | None


BREAK_KINDS = {
    "in_none": "Paid, but in no current statement",
    "in_two": "Paid, and in more than one current statement",
    "not_paid": "In a current statement, but not paid",
}


def statement_breaks(
    session: Session, now: datetime | None = None, since: date | None = None
) -> list[StatementBreak]:
    """Every break between paid invoices and current statements of APs starting from ``since``."""
    now = now or utcnow()
    since = since or (now - timedelta(days=RECONCILED_DAYS)).date()
    named: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for statement_id, lines in session.execute(
        select(ApStatement.id, ApStatement.lines).where(ApStatement.is_current, ApStatement.ap_start >= since)
    ):
        for line in lines:
            named[uuid.UUID(line["invoice_id"])].append(statement_id)
    paid = {
        row.id: row
        for row in session.execute(
            select(
                Invoice.id,
                Invoice.invoice_number,
                Invoice.status,
                Invoice.parent_id,
                Invoice.ap_start,
                Payment.paid_at,
            )
            .join(PaymentAllocation, (PaymentAllocation.invoice_id == Invoice.id) & PaymentAllocation.live)
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .where(Invoice.status == InvoiceStatus.PAID, Invoice.ap_start >= since)
        )
    }
    breaks = []
    for invoice_id, row in paid.items():
        statements = named.get(invoice_id, [])
        if len(statements) > 1:
            breaks.append(_break("in_two", row, statements))
        elif not statements and row.paid_at is not None and row.paid_at < now - GRACE:
            breaks.append(_break("in_none", row, statements))
    unpaid = [invoice_id for invoice_id in named if invoice_id not in paid]
    if unpaid:
        for unpaid_row in session.execute(
            select(
                Invoice.id,
                Invoice.invoice_number,
                Invoice.status,
                Invoice.parent_id,
                Invoice.ap_start,
            ).where(among(session, Invoice.id, unpaid), Invoice.status != InvoiceStatus.PAID)
        ):
            breaks.append(_break("not_paid", unpaid_row, named[unpaid_row.id]))
    return sorted(breaks, key=lambda item: (item.ap_start, item.invoice_number, item.kind))


def _break(kind: str, row: object, statements: list[uuid.UUID]) -> StatementBreak:
    return StatementBreak(
        kind=kind,
        invoice_id=row.id,  # type: ignore[attr-defined]
        invoice_number=row.invoice_number,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        parent_id=row.parent_id,  # type: ignore[attr-defined]
        ap_start=row.ap_start,  # type: ignore[attr-defined]
        statement_ids=tuple(sorted(statements)),
        paid_at=getattr(row, "paid_at", None),
    )


def recent_statements(session: Session, limit: int = STATEMENT_PAGE) -> list[tuple[ApStatement, str]]:
    """The newest statements, every version, with the parent's name."""
    return [
        (statement, name)
        for statement, name in session.execute(
            select(ApStatement, Parent.name)
            .join(Parent, Parent.id == ApStatement.parent_id)
            .order_by(ApStatement.made_at.desc(), ApStatement.version.desc())
            .limit(limit)
        ).all()
    ]


def award_differences(
    session: Session, limit: int = STATEMENT_PAGE
) -> list[tuple[AwardDifference, str, str]]:
    """The newest award differences, with the parent's name and claim reference."""
    return [
        (difference, name, reference or "")
        for difference, name, reference in session.execute(
            select(AwardDifference, Parent.name, Parent.uc_claim_reference)
            .join(Parent, Parent.id == AwardDifference.parent_id)
            .order_by(AwardDifference.found_at.desc())
            .limit(limit)
        ).all()
    ]
