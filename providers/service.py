"""Provider use cases. Each is one transaction with its audit events."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import audit, notify, settings, transitions
from config.auth import Actor, ActorKind, StaffRole
from config.database import transaction, utcnow
from config.errors import DomainError, FieldError, Forbidden, NotFound, ValidationFailed, rule
from providers import addresses, repository
from providers.models import (
    PROVIDER_TRANSITIONS,
    REGULATOR_NAMES,
    ApiClient,
    BankAccount,
    OAuthToken,
    Provider,
    ProviderStatus,
    ProviderUser,
    ProviderUserRole,
    Regulator,
)
from providers.rules import (
    normalise_account_number,
    normalise_postcode,
    normalise_registration_number,
    normalise_sort_code,
    passes_modulus_check,
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


def provider_user_actor(user_id: uuid.UUID | None, provider_id: uuid.UUID, label: str) -> Actor:
    """Someone at a nursery (or the spreadsheet upload they started), acting for it."""
    return Actor(kind=ActorKind.PROVIDER_USER, id=user_id, label=label, provider_id=provider_id)


def api_client_actor(api_client_id: uuid.UUID, provider_id: uuid.UUID, label: str = "API client") -> Actor:
    """A nursery's software, acting for the nursery through its token."""
    return Actor(kind=ActorKind.API_CLIENT, id=api_client_id, label=label, provider_id=provider_id)


@dataclass(frozen=True)
class BankDetails:
    sort_code: str
    account_number: str
    account_name: str


@dataclass(frozen=True)
class Registration:
    name: str
    regulator: Regulator
    registration_number: str
    postcode: str
    address: str
    region: str
    bank: BankDetails
    admin_name: str
    admin_email: str
    # Argon2 hash of the admin's password (``accounts.hash_password``), when a person registers
    # in the portal; the demo seed and the test builders leave it out.
    admin_password_hash: str | None = None


def check_bank_details(bank: BankDetails, prefix: str = "") -> BankDetails:
    errors: list[FieldError] = []
    checked = {}
    for field, normalise in (
        ("sort_code", normalise_sort_code),
        ("account_number", normalise_account_number),
    ):
        try:
            checked[field] = normalise(getattr(bank, field))
        except ValueError as exc:
            errors.append(FieldError(prefix + field, str(exc)))
    name = bank.account_name.strip()
    if not name:
        errors.append(FieldError(prefix + "account_name", "Enter the name on the account"))
    if not errors and not passes_modulus_check(checked["sort_code"], checked["account_number"]):
        errors.append(
            FieldError(
                prefix + "account_number",
                "Check the sort code and account number: they do not match a real bank account",
            )
        )
    if errors:
        raise ValidationFailed("The bank details are not valid", errors=errors)
    return BankDetails(checked["sort_code"], checked["account_number"], name)


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
    if "@" not in registration.admin_email:
        errors.append(
            FieldError("admin_email", "Enter an email address in the correct format, like name@example.com")
        )
    if errors:
        raise ValidationFailed("The registration details are not valid", errors=errors)
    bank = check_bank_details(registration.bank, "bank.")

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
        session.add(BankAccount(provider=provider, **bank.__dict__))
        admin = ProviderUser(
            provider=provider,
            email=registration.admin_email.strip().lower(),
            name=registration.admin_name.strip(),
            role=ProviderUserRole.ADMIN,
            password_hash=registration.admin_password_hash,
        )
        session.add(admin)
        actor = provider_user_actor(None, provider.id, admin.name)
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


def verify_provider(session: Session, actor: Actor, provider_id: uuid.UUID) -> Provider:
    """DWP checks the registration and bank details: ``pending_verification`` → ``active``."""
    actor.require_role(StaffRole.CASEWORKER, StaffRole.FINANCE_OFFICER)
    with transaction(session):
        provider = repository.get_provider(session, provider_id, for_update=True)
        transitions.move(session, PROVIDER, provider, ProviderStatus.ACTIVE, actor)
        provider.verified_at, provider.verified_by_id = utcnow(), actor.staff_id
    return provider


def change_bank_details(
    session: Session, actor: Actor, provider_id: uuid.UUID, bank: BankDetails
) -> BankAccount:
    """Record new bank details: payments hold for the cooling-off period and until released."""
    if actor.require_provider() != provider_id:
        raise Forbidden("You can only change your own setting's bank details")
    bank = check_bank_details(bank)
    now = utcnow()
    with transaction(session):
        provider = repository.get_provider(session, provider_id, for_update=True)
        old = repository.current_bank_account(session, provider_id)
        if old is not None:
            old.is_current = False
            session.flush()  # the one-current-account index must see the old row retired first
        hold_until = now + timedelta(days=settings.current().bank_change_cooling_off_days)
        account = BankAccount(provider=provider, hold_until=hold_until, **bank.__dict__)
        session.add(account)
        audit.record(
            session,
            "provider.bank_details_changed",
            provider,
            actor,
            {
                "sort_code": bank.sort_code,
                "account_ending": bank.account_number[-4:],
                "hold_until": hold_until.isoformat(),
            },
        )
    return account


def release_bank_details(session: Session, actor: Actor, provider_id: uuid.UUID) -> BankAccount:
    """A second DWP person releases new bank details; payments resume after the cooling-off."""
    actor.require_role(StaffRole.FINANCE_OFFICER, StaffRole.APPROVER)
    with transaction(session):
        provider = repository.get_provider(session, provider_id, for_update=True)
        account = repository.current_bank_account(session, provider_id)
        if account is None or account.hold_until is None or account.released_at is not None:
            raise rule("nothing_to_release", "Nothing to release", "These bank details are not on hold")
        account.released_at, account.released_by_id = utcnow(), actor.staff_id
        audit.record(
            session,
            "provider.bank_details_released",
            provider,
            actor,
            {"hold_until": account.hold_until.isoformat()},
        )
    return account


STRIPE_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]{1,60}")


def set_stripe_account(session: Session, actor: Actor, provider_id: uuid.UUID, account_id: str) -> Provider:
    actor.require_role(StaffRole.FINANCE_OFFICER)
    account_id = account_id.strip()
    if not STRIPE_ACCOUNT_ID.fullmatch(account_id):
        raise ValidationFailed(
            "Enter a connected account ID, like acct_1Nv0FGQ9RKHgCVdK",
            errors=[FieldError("stripe_account", "Enter a connected account ID, like acct_1Nv0FGQ9RKHgCVdK")],
        )
    with transaction(session):
        provider = repository.get_provider(session, provider_id, for_update=True)
        provider.stripe_account_id = account_id
        audit.record(session, "provider.stripe_account_set", provider, actor, {"account": account_id})
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
