"""Statements to the award calculation: what DWP paid nurseries directly for a parent and AP.

The Universal Credit award must know the childcare costs DWP paid to providers, or it would pay
the childcare costs element to the parent as well. So once an AP's payments are settled, the
claim system is sent a statement of them (``claims.Statement``): one per parent and AP, and a new
version for each correction, never an edit.

When an AP is settled: none of the parent's invoices in it is still on its way to being paid,
that is none is ``approved`` (it goes into the next batch) or ``batched`` (its payment is
created, sent, or waiting for the rail to answer). Not waited for:

- invoices before DWP's decision to pay (submitted, awaiting confirmation, confirmed, disputed,
  on hold): the parent or a caseworker must act first, perhaps never, and an invoice's AP is
  decided only when it is batched; one paid later corrects the statement;
- ``payment_failed`` invoices (failed, or returned by the bank after they were paid): no money
  is moving; a returned invoice leaves the statement at once, and comes back in a correction
  when a later batch pays it.

A statement's content is every ``paid`` invoice of the parent in the AP with what DWP paid the
provider for it: its DWP share less the credit notes recovered from the provider (taken off a
later payment that was paid; a note taken off a payment that then fails is outstanding again,
and no longer counts). When that differs from the current statement (the invoices, or what was
paid for one), a new version is made and the old one stops being current; the same content
makes nothing. Each new statement is audited (``statement.made``).

``refresh_statements`` is part of the use cases that change what was paid (a payment paid, one
returned, and with it a credit note recovered or released): it runs in their transaction.
``send_statements`` is the scheduled job's: each statement is sent once it is made (the claim
system keeps the newest version as current), idempotent by the statement's id.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import claims.systems
from claimants.models import Parent
from claims import ClaimSystem, Statement, StatementLine
from config import audit
from config.auth import Actor
from config.database import among, transaction, utcnow
from invoicing.models import (
    ApStatement,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentStatus,
)
from providers.models import Provider

log = logging.getLogger(__name__)

Pair = tuple[uuid.UUID, date]  # a parent and the start of one of their APs
# Still on its way to being paid: the AP waits for these before it has a statement.
ON_ITS_WAY = frozenset({InvoiceStatus.APPROVED, InvoiceStatus.BATCHED})


def pairs_of_payments(session: Session, payment_ids: Iterable[uuid.UUID]) -> set[Pair]:
    """The parents and APs a change to these payments touches: the invoices they pay (live
    allocations) and those of the credit notes taken off them. Read before the change (a failed
    payment's allocations and credit notes are let go by it)."""
    ids = list(payment_ids)
    if not ids:
        return set()
    paid = (
        select(Invoice.parent_id, Invoice.ap_start)
        .join(PaymentAllocation, PaymentAllocation.invoice_id == Invoice.id)
        .where(among(session, PaymentAllocation.payment_id, ids), PaymentAllocation.live)
    )
    credited = (
        select(Invoice.parent_id, Invoice.ap_start)
        .join(CreditNote, CreditNote.invoice_id == Invoice.id)
        .where(among(session, CreditNote.payment_id, ids))
    )
    return {(row[0], row[1]) for query in (paid, credited) for row in session.execute(query)}


def refresh_statements(session: Session, actor: Actor, pairs: Iterable[Pair]) -> list[ApStatement]:
    """Make a new statement for each settled parent and AP whose paid content changed; returns
    the new ones. Part of the caller's transaction. The parents are locked (in id order), so two
    payments of one AP paid at the same moment make one version after the other."""
    wanted = set(pairs)
    if not wanted:
        return []
    parent_ids = sorted({parent_id for parent_id, _ in wanted})
    starts = sorted({start for _, start in wanted})
    references = dict(
        session.execute(
            select(Parent.id, Parent.uc_claim_reference)
            .where(among(session, Parent.id, parent_ids))
            .order_by(Parent.id)
            .with_for_update()
        ).all()
    )
    invoices: dict[Pair, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(
            Invoice.id,
            Invoice.parent_id,
            Invoice.ap_start,
            Invoice.ap_end,
            Invoice.status,
            Invoice.dwp_pence,
            Invoice.provider_id,
            Invoice.invoice_number,
        ).where(among(session, Invoice.parent_id, parent_ids), Invoice.ap_start.in_(starts))
    ):
        if (row.parent_id, row.ap_start) in wanted:
            invoices[(row.parent_id, row.ap_start)].append(row)
    paid_rows = [row for rows in invoices.values() for row in rows if row.status is InvoiceStatus.PAID]
    recovered = recovered_credit(session, [row.id for row in paid_rows])
    names = provider_names(session, {row.provider_id for row in paid_rows})
    current = {
        (statement.parent_id, statement.ap_start): statement
        for statement in session.scalars(
            select(ApStatement).where(
                among(session, ApStatement.parent_id, parent_ids),
                ApStatement.ap_start.in_(starts),
                ApStatement.is_current,
            )
        )
    }
    made = []
    for pair in sorted(wanted):
        rows, before = invoices.get(pair, []), current.get(pair)
        reference = references.get(pair[0])
        if any(row.status in ON_ITS_WAY for row in rows) or reference is None:
            continue  # not settled yet; or no claim to tell (a claim is linked before any invoice)
        lines = sorted(
            (
                {
                    "provider_id": str(row.provider_id),
                    "provider_name": names[row.provider_id],
                    "invoice_id": str(row.id),
                    "invoice_number": row.invoice_number,
                    "paid_pence": row.dwp_pence - recovered.get(row.id, 0),
                }
                for row in rows
                if row.status is InvoiceStatus.PAID
            ),
            key=lambda line: (line["provider_name"], line["invoice_number"], line["invoice_id"]),
        )
        if before is None and not lines:
            continue  # nothing was ever paid direct for the AP
        if before is not None and money_of(before.lines) == money_of(lines):
            continue
        ap_end = next((row.ap_end for row in rows if row.status is InvoiceStatus.PAID), None)
        made.append(_new_version(session, actor, pair, reference, ap_end, lines, before))
    return made


def _new_version(
    session: Session,
    actor: Actor,
    pair: Pair,
    reference: str,
    ap_end: date | None,
    lines: list[dict[str, Any]],
    before: ApStatement | None,
) -> ApStatement:
    if before is not None:
        before.is_current = False
        session.flush()  # the partial unique index allows one current statement at a time
        ap_end = ap_end or before.ap_end  # no paid invoice left: a correction to £0
    assert ap_end is not None  # a first statement has a paid invoice
    statement = ApStatement(
        id=uuid.uuid4(),
        parent_id=pair[0],
        claim_reference=reference,
        ap_start=pair[1],
        ap_end=ap_end,
        version=1 if before is None else before.version + 1,
        is_current=True,
        total_pence=sum(line["paid_pence"] for line in lines),
        lines=lines,
        made_at=utcnow(),
    )
    session.add(statement)
    audit.record(
        session,
        "statement.made",
        statement,
        actor,
        {
            "parent_id": pair[0],
            "ap_start": pair[1],
            "version": statement.version,
            "total_pence": statement.total_pence,
            "invoices": len(lines),
            "replaces": before.id if before is not None else None,
        },
    )
    return statement


def money_of(lines: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """What a statement says was paid: each invoice and its amount (a provider renamed since is
    not a correction)."""
    return {(line["invoice_id"], line["paid_pence"]) for line in lines}


def recovered_credit(session: Session, invoice_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Credit notes taken off a payment that was paid, in pence, by invoice."""
    if not invoice_ids:
        return {}
    rows = session.execute(
        select(CreditNote.invoice_id, func.sum(CreditNote.amount_pence))
        .join(Payment, Payment.id == CreditNote.payment_id)
        .where(among(session, CreditNote.invoice_id, invoice_ids), Payment.status == PaymentStatus.PAID)
        .group_by(CreditNote.invoice_id)
    )
    return {invoice_id: int(pence) for invoice_id, pence in rows}


def provider_names(session: Session, provider_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not provider_ids:
        return {}
    return dict(
        session.execute(
            select(Provider.id, Provider.name).where(among(session, Provider.id, provider_ids))
        ).all()
    )


def as_claims_statement(statement: ApStatement) -> Statement:
    return Statement(
        statement_id=statement.id,
        claim_reference=statement.claim_reference,
        ap_start=statement.ap_start,
        ap_end=statement.ap_end,
        version=statement.version,
        total_pence=statement.total_pence,
        lines=tuple(
            StatementLine(
                provider_id=uuid.UUID(line["provider_id"]),
                provider_name=line["provider_name"],
                invoice_id=uuid.UUID(line["invoice_id"]),
                invoice_number=line["invoice_number"],
                paid_pence=line["paid_pence"],
            )
            for line in statement.lines
        ),
    )


def send_statements(
    session: Session, actor: Actor, system: ClaimSystem | None = None, limit: int = 1000
) -> dict[str, int]:
    """Send each statement not sent yet, oldest first, and record the claim system's receipt
    (``statement.sent``), one transaction each. Safe to run twice and after a crash: a statement
    sent but not recorded is sent again, and the claim system takes it once by its id. A
    statement the claim system refuses stays unsent, for the next run."""
    system = system or claims.systems.current(session)
    unsent = list(
        session.scalars(
            select(ApStatement.id)
            .where(ApStatement.sent_at.is_(None))
            .order_by(ApStatement.made_at, ApStatement.version)
            .limit(limit)
        )
    )
    session.rollback()
    sent = failed = 0
    for statement_id in unsent:
        with transaction(session):
            statement = session.get_one(ApStatement, statement_id, with_for_update=True)
            if statement.sent_at is not None:
                continue  # another run sent it meanwhile
            try:
                receipt = system.send_statement(as_claims_statement(statement))
            # Any failure of the claim system (down, refusing, timing out) leaves the statement
            # for the next run; claims.ClaimSystemUnavailable, being added in another branch,
            # will narrow this.
            except Exception:
                log.exception("claim system did not take statement %s", statement_id)
                failed += 1
                session.rollback()
                continue
            statement.sent_at, statement.receipt = utcnow(), str(receipt)[:200]
            audit.record(
                session,
                "statement.sent",
                statement,
                actor,
                {"version": statement.version, "receipt": statement.receipt},
            )
            sent += 1
    return {"sent": sent, "failed": failed}
