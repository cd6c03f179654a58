"""Provider use cases. Each is one transaction with its audit events."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, notify, settings, transitions
from config.auth import Actor, ActorKind, StaffRole
from config.database import transaction, utcnow
from config.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed, rule
from providers import addresses, payees, repository
from providers.models import (
    PROVIDER_TRANSITIONS,
    REGULATOR_NAMES,
    ApiClient,
    OAuthToken,
    Provider,
    ProviderStatus,
    ProviderUser,
    ProviderUserRole,
    Regulator,
)
from providers.rules import (
    normalise_postcode,
    normalise_registration_number,
)
from providers.tokens import issue_token, revoke_token  # noqa: F401 - callers know them here

PROVIDER = transitions.machine(
    name="provider",
    noun="provider",
    table=Provider.__tablename__,
    allowed=PROVIDER_TRANSITIONS,
    states=ProviderStatus,
    actions={ProviderStatus.ACTIVE: "provider.verified"},
)


def provider_user_actor(
    user_id: uuid.UUID | None, provider_id: uuid.UUID, label: str, *, admin: bool = False
) -> Actor:
    """Someone at a nursery (or the spreadsheet upload they started), acting for it."""
    return Actor(
        kind=ActorKind.PROVIDER_USER, id=user_id, label=label, provider_id=provider_id, provider_admin=admin
    )


def api_client_actor(api_client_id: uuid.UUID, provider_id: uuid.UUID, label: str = "API client") -> Actor:
    """A nursery's software, acting for the nursery through its token."""
    return Actor(kind=ActorKind.API_CLIENT, id=api_client_id, label=label, provider_id=provider_id)


@dataclass(frozen=True)
class Registration:
    name: str
    regulator: Regulator
    registration_number: str
    postcode: str
    address: str
    region: str
    bank: payees.BankDetails
    admin_name: str
    admin_email: str
    # Argon2 hash of the admin's password (``accounts.hash_password``), when a person registers
    # in the portal; the demo seed and the test builders leave it out.
    admin_password_hash: str | None = None


def register_provider(session: Session, registration: Registration) -> Provider:
    """Register a setting; it stays ``pending_verification`` until DWP verifies it.

    Raises ``ValidationFailed`` for badly formed details and a 422 ``already_registered`` when
    the regulator's number is taken.
    """
    errors: list[FieldError] = []
    number = postcode = ""
    try:
        number = normalise_registration_number(registration.regulator, registration.registration_number)
    except ValueError as exc:
        errors.append(FieldError("registration_number", str(exc)))
    try:
        postcode = normalise_postcode(registration.postcode)
    except ValueError as exc:
        errors.append(FieldError("postcode", str(exc)))
    if not registration.name.strip():
        errors.append(FieldError("name", "Enter the name of the setting"))
    if not notify.looks_like_email(registration.admin_email):
        errors.append(
            FieldError("admin_email", "Enter an email address in the correct format, like name@example.com")
        )
    if errors:
        raise ValidationFailed("The registration details are not valid", errors=errors)
    bank = payees.check_bank_details(registration.bank, "bank.")

    def already_registered() -> DomainError:
        return rule("already_registered", "Already registered", "This setting is already registered")

    def email_in_use() -> DomainError:
        return rule("email_in_use", "Email address in use", "That email address already has an account")

    with transaction(session, {"registration_number": already_registered, "email": email_in_use}):
        if repository.find_by_registration(session, registration.regulator, number):
            raise already_registered()
        provider = Provider(
            id=uuid.uuid4(),
            name=registration.name.strip(),
            regulator=registration.regulator,
            registration_number=number,
            postcode=postcode,
            address=registration.address.strip(),
            region=registration.region,
        )
        session.add(provider)
        admin = ProviderUser(
            provider=provider,
            email=registration.admin_email.strip().lower(),
            name=registration.admin_name.strip(),
            role=ProviderUserRole.ADMIN,
            password_hash=registration.admin_password_hash,
        )
        session.add(admin)
        actor = provider_user_actor(None, provider.id, admin.name)
        payees.first_payee(session, provider, bank, actor)
        audit.record(
            session,
            "provider.registered",
            provider,
            actor,
            {"regulator": provider.regulator, "registration_number": number, "postcode": postcode},
        )
        notify.queue_email(
            session,
            to=admin.email,
            template="provider_registered",
            reference=f"registered-{provider.id}",
            provider=provider.name,
            regulator=REGULATOR_NAMES[provider.regulator],
        )
    return provider


def check_provider(session: Session, actor: Actor, provider_id: uuid.UUID) -> Provider:
    """A DWP person has checked the registration with the regulator and the bank details with the
    bank; a second person verifies it (``verify_provider``)."""
    actor.require_role(StaffRole.CASEWORKER, StaffRole.FINANCE_OFFICER)
    with transaction(session):
        provider = repository.get_provider(session, provider_id, for_update=True)
        PROVIDER.check(provider.status, ProviderStatus.ACTIVE)
        if provider.checked_by_id is not None:
            raise rule("already_checked", "Already checked", "This registration is already checked")
        provider.checked_at, provider.checked_by_id = utcnow(), actor.staff_id
        checked = {"payee": payees.masked(provider.current_payee)}
        audit.record(session, "provider.checked", provider, actor, checked)
    return provider


def verify_provider(session: Session, actor: Actor, provider_id: uuid.UUID) -> Provider:
    """A second DWP person verifies a checked registration: ``pending_verification`` → ``active``.

    Refused until someone has checked it, and for whoever checked it (also by a database constraint).
    """
    actor.require_role(StaffRole.CASEWORKER, StaffRole.FINANCE_OFFICER)

    def same_person() -> Forbidden:
        return Forbidden("Someone other than the person who checked the registration must verify it")

    with transaction(session, {"verified_by_a_second_person": same_person}):
        provider = repository.get_provider(session, provider_id, for_update=True)
        if provider.checked_by_id is None:
            raise rule("not_checked", "Not checked yet", "Check the registration and bank details first")
        if provider.checked_by_id == actor.id:
            raise same_person()
        transitions.move(session, PROVIDER, provider, ProviderStatus.ACTIVE, actor)
        provider.verified_at, provider.verified_by_id = utcnow(), actor.staff_id
    return provider


PROVIDER_SCOPES = ("invoices:read", "invoices:write", "payments:read", "consents:read", "consents:request")


def hash_client_secret(secret: str) -> str:
    """Client secrets are 256 random bits, so one round of SHA-256 is enough to keep them safe."""
    return hashlib.sha256(secret.encode()).hexdigest()


def register_api_client(
    session: Session,
    actor: Actor,
    *,
    name: str,
    redirect_uris: list[str],
    webhook_url: str | None = None,
    resolve: addresses.Resolver = addresses.system_resolver,
) -> tuple[ApiClient, str]:
    """A provider admin registers their nursery software; the secret is shown this once only.

    Addresses follow ``providers.addresses`` (a webhook's host is resolved with ``resolve``);
    a bad one raises ``ValidationFailed`` naming the field.
    """
    provider_id = actor.require_provider()
    errors = [] if name.strip() else [FieldError("name", "Enter the software's name")]
    webhook_url = (webhook_url or "").strip() or None
    try:
        for uri in redirect_uris:
            addresses.check_redirect_uri(uri)
    except addresses.AddressRefused as exc:
        errors.append(FieldError("redirect_uris", str(exc)))
    try:
        if webhook_url:
            allow_loopback = not settings.current().is_production
            addresses.check_webhook_url(
                webhook_url, allow_loopback=allow_loopback, resolve=resolve, must_resolve=False
            )
    except addresses.AddressRefused as exc:
        errors.append(FieldError("webhook_url", str(exc)))
    if errors:
        raise ValidationFailed("The client is not valid", errors=errors)
    secret = secrets.token_urlsafe(32)
    with transaction(session):
        client = ApiClient(
            id=uuid.uuid4(),
            provider_id=provider_id,
            name=name.strip(),
            client_id="ccd_" + secrets.token_hex(12),
            client_secret_hash=hash_client_secret(secret),
            redirect_uris=redirect_uris,
            webhook_url=webhook_url,
            webhook_secret=_new_webhook_secret() if webhook_url else None,
            scopes=list(PROVIDER_SCOPES),
        )
        session.add(client)
        audit.record(
            session,
            "api_client.registered",
            client,
            actor,
            {"name": client.name, "client_id": client.client_id},
        )
    return client, secret


def _new_webhook_secret() -> str:
    # Kept as it is, not hashed: every delivery is signed with it (HMAC), as Stripe's are.
    return "whsec_" + secrets.token_urlsafe(32)


def _own_client(session: Session, actor: Actor, client_id: uuid.UUID) -> ApiClient:
    client = session.get(ApiClient, client_id, with_for_update=True)
    if client is None or client.provider_id != actor.require_provider():
        raise NotFound("No such API client")
    return client


def rotate_client_secret(session: Session, actor: Actor, client_id: uuid.UUID) -> tuple[ApiClient, str]:
    """A new secret (shown once); the old one stops working at once, as do tokens issued with it."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    with transaction(session):
        client = _own_client(session, actor, client_id)
        if client.revoked_at is not None:
            raise rule("client_revoked", "Client revoked", "This client has been revoked")
        client.client_secret_hash = hash_client_secret(secret)
        _revoke_client_tokens(session, client, now)
        audit.record(session, "api_client.secret_rotated", client, actor, {"client_id": client.client_id})
    return client, secret


def revoke_api_client(session: Session, actor: Actor, client_id: uuid.UUID) -> ApiClient:
    """The software can no longer get tokens; every token it holds stops working now."""
    now = utcnow()
    with transaction(session):
        client = _own_client(session, actor, client_id)
        if client.revoked_at is None:
            client.revoked_at = now
            _revoke_client_tokens(session, client, now)
            audit.record(session, "api_client.revoked", client, actor, {"client_id": client.client_id})
    return client


def _revoke_client_tokens(session: Session, client: ApiClient, now: datetime) -> None:
    for token in session.scalars(
        select(OAuthToken).where(OAuthToken.api_client_id == client.id, OAuthToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
