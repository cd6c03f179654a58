"""DWP's search: one box finds payments by reference, invoices by number, providers by name,
registration number or postcode, and parents by name or email address; the invoices of every
provider and parent found are listed too, a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from claimants.models import Parent
from config.pagination import page
from invoicing.models import Invoice, Payment
from providers import repository as providers_repository
from providers.models import Provider

FOUND_AT_MOST = 20  # payments, providers and parents shown; the invoices list has pages


@dataclass(frozen=True)
class SearchResults:
    payments: list[tuple[Payment, str]]  # (payment, provider name)
    providers: list[Provider]
    parents: list[Parent]
    invoices: Sequence[Invoice]
    next_cursor: str | None
    provider_names: dict[object, str]


def _like(words: str) -> str:
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, words: str, limit: int, cursor: str | None) -> SearchResults:
    """What ``words`` finds (``MalformedRequest`` for a bad cursor); nothing for empty words."""
    text = " ".join(words.split())
    if not text:
        return SearchResults([], [], [], [], None, {})
    payments = [
        (payment, name)
        for payment, name in session.execute(
            select(Payment, Provider.name)
            .join(Provider, Provider.id == Payment.provider_id)
            # References carry a space ("CCD E706F1D4ACE8"), which people leave out or double.
            .where(func.upper(func.replace(Payment.reference, " ", "")) == text.replace(" ", "").upper())
            .order_by(Payment.created_at.desc())
            .limit(FOUND_AT_MOST)
        )
    ]
    providers = list(
        session.scalars(
            select(Provider)
            .where(providers_repository.provider_matches(text))
            .order_by(Provider.name)
            .limit(FOUND_AT_MOST)
        )
    )
    parents = list(
        session.scalars(
            select(Parent)
            .where(
                or_(
                    Parent.name.ilike(_like(text), escape="\\"),
                    func.lower(Parent.email) == text.lower(),
                    func.upper(Parent.uc_claim_reference) == text.upper(),
                )
            )
            .order_by(Parent.name)
            .limit(FOUND_AT_MOST)
        )
    )
    provider_ids = [p.id for p in providers]
    parent_ids = [p.id for p in parents]
    invoices_query = select(Invoice).where(
        or_(
            func.upper(Invoice.invoice_number) == text.upper(),
            Invoice.provider_id.in_(provider_ids) if provider_ids else false(),
            Invoice.parent_id.in_(parent_ids) if parent_ids else false(),
        )
    )
    invoices, next_cursor = page(session, invoices_query, Invoice.created_at, Invoice.id, limit, cursor)
    names = providers_repository.providers_by_id(session, {i.provider_id for i in invoices})
    return SearchResults(
        payments,
        providers,
        parents,
        invoices,
        next_cursor,
        {pid: provider.name for pid, provider in names.items()},
    )
