"""DWP's CSV exports, read a thousand rows at a time: names and words for people, each amount in
pounds with its pence in a column beside it, for the rows made within a date range (London days:
batches by when they were built, payments by when their batch was built, invoices by when the
provider sent them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from claimants.models import Child, Parent
from config.formatting import london_date, london_time
from config.words import words
from invoicing.models import Invoice, Payment, PaymentBatch
from invoicing.queries.reports import DateRange
from providers.models import Provider
from staff.models import StaffUser

EXPORTS = ("batches", "payments", "invoices")
# Each export: its header, its query (rows of a model and the names beside it), and a row maker.
_Export = tuple[tuple[Any, ...], Any, Callable[..., list[Any]]]


def pounds(pence: int) -> str:
    """A plain number of pounds a spreadsheet reads as a number: 1234.5 pence is never written."""
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def export(session: Session, kind: str, within: DateRange) -> tuple[list[str], Iterator[list[Any]]]:
    """One of ``EXPORTS`` as a header and rows, read a thousand at a time."""
    header, query, row = _EXPORTS[kind](within)
    return [str(name) for name in header], (row(*item) for item in session.execute(query).yield_per(1000))


def _batches(within: DateRange) -> _Export:
    query = (
        select(PaymentBatch, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == PaymentBatch.built_by_id)
        .where(PaymentBatch.built_at >= within.from_utc, PaymentBatch.built_at < within.to_utc)
        .order_by(PaymentBatch.built_at)
    )
    header = (
        _l("Batch id"),
        _l("Built"),
        _l("Built by"),
        _l("Status"),
        _l("Payment date"),
        _l("Payments"),
        _l("Invoices"),
        _l("Total (£)"),
        _l("Total (pence)"),
        _l("Content hash"),
    )
    return (
        header,
        query,
        lambda b, builder: [
            b.id,
            london_time(b.built_at),
            builder or str(_l("The daily payment run")),
            words(b.status, "batch_status"),
            london_date(b.payment_date),
            b.payment_count,
            b.invoice_count,
            pounds(b.total_pence),
            b.total_pence,
            b.content_hash or "",
        ],
    )


def _payments(within: DateRange) -> _Export:
    query = (
        select(Payment, Provider.name, PaymentBatch.built_at)
        .join(Provider, Provider.id == Payment.provider_id)
        .join(PaymentBatch, PaymentBatch.id == Payment.batch_id)
        .where(PaymentBatch.built_at >= within.from_utc, PaymentBatch.built_at < within.to_utc)
        .order_by(PaymentBatch.built_at, Provider.name)
    )
    header = (
        _l("Reference"),
        _l("Provider"),
        _l("Status"),
        _l("Paid by"),
        _l("Amount (£)"),
        _l("Credit notes taken off (£)"),
        _l("Batch built"),
        _l("Sent"),
        _l("Paid"),
        _l("Amount (pence)"),
        _l("Credit notes taken off (pence)"),
        _l("Payment id"),
        _l("Batch id"),
        _l("Provider id"),
        _l("Rail reference"),
    )
    return (
        header,
        query,
        lambda p, provider, built_at: [
            p.reference,
            provider,
            words(p.status, "payment_status"),
            words(p.rail, "rail"),
            pounds(p.amount_pence),
            pounds(p.credit_pence),
            london_time(built_at),
            london_time(p.sent_at),
            london_time(p.paid_at),
            p.amount_pence,
            p.credit_pence,
            p.id,
            p.batch_id,
            p.provider_id,
            p.rail_reference or "",
        ],
    )


def _invoices(within: DateRange) -> _Export:
    child, parent = aliased(Child), aliased(Parent)
    query = (
        select(Invoice, Provider.name, child.first_name, child.last_name, parent.name)
        .join(Provider, Provider.id == Invoice.provider_id)
        .join(child, child.id == Invoice.child_id)
        .join(parent, parent.id == Invoice.parent_id)
        .where(Invoice.created_at >= within.from_utc, Invoice.created_at < within.to_utc)
        .order_by(Invoice.created_at)
    )
    header = (
        _l("Invoice number"),
        _l("Provider"),
        _l("Child"),
        _l("Parent"),
        _l("Status"),
        _l("Care from"),
        _l("Care to"),
        _l("Total (£)"),
        _l("DWP share (£)"),
        _l("Parent owes (£)"),
        _l("Flags"),
        _l("Received"),
        _l("Total (pence)"),
        _l("DWP share (pence)"),
        _l("Parent owes (pence)"),
        _l("Invoice id"),
        _l("Provider id"),
    )
    return (
        header,
        query,
        lambda i, provider, first, last, parent_name: [
            i.invoice_number,
            provider,
            f"{first} {last}",
            parent_name,
            words(i.status, "invoice_status_staff"),
            london_date(i.care_from),
            london_date(i.care_to),
            pounds(i.total_pence),
            pounds(i.dwp_pence),
            pounds(i.claimant_pence),
            "; ".join(words(flag, "flag") for flag in i.flags),
            london_time(i.created_at),
            i.total_pence,
            i.dwp_pence,
            i.claimant_pence,
            i.id,
            i.provider_id,
        ],
    )


_EXPORTS = {"batches": _batches, "payments": _payments, "invoices": _invoices}
