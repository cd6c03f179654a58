"""Queries about providers. Never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from config.database import fetch
from config.pagination import page
from providers.models import (
    ApiClient,
    IdempotencyKey,
    OAuthToken,
    Payee,
    Provider,
    ProviderStatus,
    ProviderUser,
    ProviderUserRole,
    Regulator,
)


def get_provider(session: Session, provider_id: uuid.UUID, *, for_update: bool = False) -> Provider:
    provider: Provider = fetch(session, Provider, provider_id, "provider", for_update=for_update)
    return provider


def find_by_registration(session: Session, regulator: Regulator, number: str) -> Provider | None:
    return session.scalars(
        select(Provider).where(Provider.regulator == regulator, Provider.registration_number == number)
    ).one_or_none()


def current_payee(session: Session, provider_id: uuid.UUID) -> Payee | None:
    """Where the provider is paid now (which may still be on hold)."""
    return session.scalars(
        select(Payee).where(Payee.provider_id == provider_id, Payee.is_current)
    ).one_or_none()


def payable_payees(session: Session, ids: set[uuid.UUID], at: datetime) -> dict[uuid.UUID, Payee]:
    """Of ``ids``, the active providers with a payee not on hold, and that payee."""
    if not ids:
        return {}
    rows = session.execute(
        select(Provider.id, Payee)
        .join(Payee, (Payee.provider_id == Provider.id) & Payee.is_current)
        .where(Provider.id.in_(ids), Provider.status == ProviderStatus.ACTIVE)
    )
    return {provider_id: payee for provider_id, payee in rows if not payee.on_hold(at)}


def payable_provider_ids(session: Session, ids: set[uuid.UUID], at: datetime) -> set[uuid.UUID]:
    """Of ``ids``, the active providers with somewhere to pay that is not on hold."""
    return set(payable_payees(session, ids, at))


def payees_changed_since(session: Session, ids: set[uuid.UUID], since: datetime) -> set[uuid.UUID]:
    """Of ``ids``, the providers whose payee changed after ``since`` (their first one aside)."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Payee.provider_id).where(
                Payee.provider_id.in_(ids),
                Payee.created_at >= since,
                Payee.requested_by_kind != "registration",
            )
        )
    )


def providers_by_id(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Provider]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(ids)))}


def admin_emails(session: Session, provider_id: uuid.UUID) -> list[str]:
    """Where a provider's own news goes: its active admins."""
    return list(
        session.scalars(
            select(ProviderUser.email).where(
                ProviderUser.provider_id == provider_id,
                ProviderUser.role == ProviderUserRole.ADMIN,
                ProviderUser.active,
            )
        )
    )


def revoke_consent_tokens(session: Session, consent_id: uuid.UUID, at: datetime) -> int:
    """Revoke every live token issued under a consent; returns how many."""
    tokens = session.scalars(
        select(OAuthToken).where(OAuthToken.consent_id == consent_id, OAuthToken.revoked_at.is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = at
    return len(tokens)


def find_idempotency_key(session: Session, api_client_id: uuid.UUID, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.api_client_id == api_client_id, IdempotencyKey.key == key)
    ).one_or_none()


def list_api_clients(session: Session, provider_id: uuid.UUID) -> list[ApiClient]:
    return list(
        session.scalars(
            select(ApiClient).where(ApiClient.provider_id == provider_id).order_by(ApiClient.created_at)
        )
    )


def waiting_for_verification(session: Session) -> list[Provider]:
    """Settings DWP has not yet verified, oldest registration first."""
    return list(
        session.scalars(
            select(Provider)
            .where(Provider.status == ProviderStatus.PENDING_VERIFICATION)
            .order_by(Provider.created_at)
        )
    )


def payees_on_hold(session: Session) -> list[tuple[Provider, Payee]]:
    """Providers whose current payee is a change not yet released, oldest change first."""
    rows = session.execute(
        select(Provider, Payee)
        .join(Payee, Payee.provider_id == Provider.id)
        .where(Payee.is_current, Payee.hold_until.is_not(None), Payee.released_at.is_(None))
        .order_by(Payee.created_at)
    )
    return [(provider, payee) for provider, payee in rows]


def find_user(session: Session, user_id: uuid.UUID) -> ProviderUser | None:
    return session.get(ProviderUser, user_id)


def get_user(session: Session, user_id: uuid.UUID) -> ProviderUser:
    user: ProviderUser = fetch(session, ProviderUser, user_id, "user")
    return user


def find_live_client(session: Session, client_id: str) -> ApiClient | None:
    """The API client with this public client id, unless it was revoked."""
    return session.scalars(
        select(ApiClient).where(ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None))
    ).one_or_none()


def get_api_client(
    session: Session, api_client_id: uuid.UUID, *, provider_id: uuid.UUID | None = None
) -> ApiClient:
    """The API client (another provider's is not found, when ``provider_id`` is given)."""
    owner = {"provider_id": provider_id} if provider_id is not None else None
    client: ApiClient = fetch(session, ApiClient, api_client_id, "API client", owned_by=owner)
    return client


def token_by_hash(session: Session, digest: str, *, refresh: bool) -> OAuthToken | None:
    """The token whose access (or, with ``refresh``, refresh) token hashes to ``digest``."""
    column = OAuthToken.refresh_token_hash if refresh else OAuthToken.access_token_hash
    return session.scalars(select(OAuthToken).where(column == digest)).one_or_none()


def provider_matches(words: str) -> ColumnElement[bool]:
    """Providers whose name holds ``words``, or whose registration number or postcode is it
    (spaces and case aside): what DWP's searches look for."""
    text = " ".join(words.split())
    if not text:
        return false()
    squeezed = text.replace(" ", "").upper()
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(
        Provider.name.ilike(f"%{escaped}%", escape="\\"),
        func.upper(func.replace(Provider.registration_number, " ", "")) == squeezed,
        func.upper(func.replace(Provider.postcode, " ", "")) == squeezed,
        # The first half of a postcode (the outward code) finds every setting in that district.
        Provider.postcode.ilike(f"{escaped} %", escape="\\"),
    )


def provider_directory(
    session: Session, words: str, limit: int, cursor: str | None
) -> tuple[list[Provider], str | None]:
    """One page of providers, newest registration first, matching ``words`` (all when empty)."""
    query: Select[tuple[Provider]] = select(Provider)
    if words.strip():
        query = query.where(provider_matches(words))
    rows, next_cursor = page(session, query, Provider.created_at, Provider.id, limit, cursor)
    return list(rows), next_cursor
