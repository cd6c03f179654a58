"""Providers, their users and their bank accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from config import notify
from config.database import Base, Timestamps, UUIDPrimaryKey


class Regulator(StrEnum):
    OFSTED = "ofsted"
    CARE_INSPECTORATE_WALES = "care_inspectorate_wales"
    CARE_INSPECTORATE_SCOTLAND = "care_inspectorate_scotland"
    APPROVED_SCHEME = "approved_scheme"


# The regulators of settings in England, whose councils run the early years schemes the export to
# councils is for (``claimants.council_export``): Wales and Scotland have their own, and a setting
# on an approved childcare scheme is on no early years register. Only these have a local authority.
IN_ENGLAND = frozenset({Regulator.OFSTED})

REGULATOR_NAMES = {
    Regulator.OFSTED: "Ofsted",
    Regulator.CARE_INSPECTORATE_WALES: "Care Inspectorate Wales",
    Regulator.CARE_INSPECTORATE_SCOTLAND: "Care Inspectorate (Scotland)",
    Regulator.APPROVED_SCHEME: "an approved childcare scheme",
}


class ProviderStatus(StrEnum):
    PENDING_VERIFICATION = "pending_verification"
    ACTIVE = "active"


PROVIDER_TRANSITIONS = {
    ProviderStatus.PENDING_VERIFICATION: frozenset({ProviderStatus.ACTIVE}),
}


class ProviderUserRole(StrEnum):
    ADMIN = "admin"
    STAFF = "staff"


class Provider(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "providers"
    __table_args__ = (
        UniqueConstraint("regulator", "registration_number"),
        # Four eyes in the data: whoever checked a registration cannot also verify it.
        CheckConstraint(
            "verified_by_id IS NULL OR verified_by_id <> checked_by_id", name="verified_by_a_second_person"
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    regulator: Mapped[Regulator]
    registration_number: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500), default="")
    postcode: Mapped[str] = mapped_column(String(10))
    region: Mapped[str] = mapped_column(String(60), default="")
    # The council that runs early-years funding where the setting is (ONS GSS code, one of
    # config/local_authorities.csv), recorded by DWP staff; None until someone records it.
    local_authority_code: Mapped[str | None] = mapped_column(String(9))
    status: Mapped[ProviderStatus] = mapped_column(default=ProviderStatus.PENDING_VERIFICATION)
    # A DWP person checks the registration and the payee with the regulator and the bank; a
    # second person verifies it.
    checked_at: Mapped[datetime | None]
    checked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))
    version: Mapped[int] = mapped_column(default=1)

    users: Mapped[list[ProviderUser]] = relationship(back_populates="provider")
    payees: Mapped[list[Payee]] = relationship(back_populates="provider", order_by="Payee.created_at")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def current_payee(self) -> Payee | None:
        return next((payee for payee in self.payees if payee.is_current), None)


class ProviderUser(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "provider_users"
    __table_args__ = (CheckConstraint("language IN ('en', 'cy')", name="language"),)

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[ProviderUserRole] = mapped_column(default=ProviderUserRole.STAFF)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Failed sign-ins are counted per account and address (providers.security_models.SignInThrottle).
    # The second factor (TOTP, RFC 6238): everyone must set it up before they can do anything else.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    last_totp_step: Mapped[int | None]  # a code is accepted once only
    # "Sign out everywhere": a session started before this moment is no longer honoured.
    sessions_valid_from: Mapped[datetime | None]
    last_signed_in_at: Mapped[datetime | None]
    # The language the user chose for their pages and emails: "en" or "cy".
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")

    provider: Mapped[Provider] = relationship(back_populates="users")

    @property
    def needs_second_factor_setup(self) -> bool:
        """Every user, admin or not, sets up an authenticator before anything else."""
        return not self.totp_secret


class ProviderInvitation(UUIDPrimaryKey, Timestamps, Base):
    """An emailed link that lets a colleague set a password and join the setting's account."""

    __tablename__ = "provider_invitations"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[ProviderUserRole]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_users.id"))
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    # An admin can cancel an invitation (its link stops working) or send it again with a new link.
    cancelled_at: Mapped[datetime | None]
    times_sent: Mapped[int] = mapped_column(default=1, server_default="1")


class PayeeRail(StrEnum):
    BACS = "bacs"
    STRIPE = "stripe"


class Payee(UUIDPrimaryKey, Timestamps, Base):
    """Where a provider is paid: its bank account (Bacs) or its Stripe connected account.

    Only ``providers.payees`` writes these. A change is a new row, and a row's destination never
    changes once written (a trigger refuses it on both databases): the old one is kept, not edited.
    A change holds the provider's payments until a DWP person other than whoever asked for it has
    released it (a trigger refuses a change without a hold), and for a verified provider until the
    cooling-off period has passed too.
    """

    __tablename__ = "payees"
    __table_args__ = (
        CheckConstraint(
            "(rail = 'bacs' AND length(sort_code) = 6 AND length(account_number) = 8"
            " AND account_name IS NOT NULL AND stripe_account_id IS NULL)"
            " OR (rail = 'stripe' AND stripe_account_id IS NOT NULL AND sort_code IS NULL"
            " AND account_number IS NULL)",
            name="one_destination",
        ),
        # Four eyes in the data: a DWP person never releases a change they asked for themselves.
        CheckConstraint(
            "released_by_id IS NULL OR requested_by_kind <> 'staff' OR released_by_id <> requested_by_id",
            name="released_by_someone_else",
        ),
        Index(
            "uq_payees_one_current_per_provider",
            "provider_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    rail: Mapped[PayeeRail] = mapped_column(default=PayeeRail.BACS)
    sort_code: Mapped[str | None] = mapped_column(String(6))
    account_number: Mapped[str | None] = mapped_column(String(8))
    account_name: Mapped[str | None] = mapped_column(String(200))
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(default=True)
    # Who asked for it: the registration, someone at the nursery, or a DWP person (with a reason,
    # which is DWP's own: it never reaches the nursery).
    requested_by_kind: Mapped[str] = mapped_column(String(20), default="registration")
    requested_by_id: Mapped[uuid.UUID | None]
    requested_by_label: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str | None] = mapped_column(String(500))
    hold_until: Mapped[datetime | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_users.id"))

    provider: Mapped[Provider] = relationship(back_populates="payees")

    @property
    def destination(self) -> str:
        """Where the money goes, as staff see it: sort code and last four digits, or the account id."""
        if self.rail is PayeeRail.STRIPE:
            return f"Stripe {self.stripe_account_id}"
        code = self.sort_code or ""
        return f"{code[0:2]}-{code[2:4]}-{code[4:6]} ****{(self.account_number or '')[-4:]}"

    def on_hold(self, at: datetime) -> bool:
        return self.hold_until is not None and (self.released_at is None or self.hold_until > at)


class ApiClient(UUIDPrimaryKey, Timestamps, Base):
    """A provider's nursery software, registered for OAuth. The secret is kept only as a hash."""

    __tablename__ = "api_clients"

    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    client_secret_hash: Mapped[str] = mapped_column(String(64))
    redirect_uris: Mapped[list[str]] = mapped_column(default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    # The key webhooks to this client are signed with (HMAC-SHA256), shown once like the secret.
    webhook_secret: Mapped[str | None] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(default=list)
    revoked_at: Mapped[datetime | None]


class OAuthToken(UUIDPrimaryKey, Base):
    """An access token (and refresh token, for a parent's consent) issued to an API client.

    Only SHA-256 hashes of the tokens are stored: a copy of this table lets nobody call the API.
    A token issued under a parent's consent lives no longer than the consent.
    """

    __tablename__ = "oauth_tokens"

    api_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"))
    consent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("consents.id"), index=True)
    scope: Mapped[str] = mapped_column(String(200))
    access_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime]
    access_expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Every token descended from one authorization code (the code's id; a refresh inherits it),
    # so a reused code or a reused refresh token revokes them all (RFC 6749 4.1.2, RFC 9700).
    family_id: Mapped[uuid.UUID | None] = mapped_column(index=True)


class IdempotencyKey(UUIDPrimaryKey, Base):
    """An API client's Idempotency-Key: the same key and body get the first answer again.

    Recorded in the transaction that made the resource, so a crash never leaves a key without
    its resource or a resource without its key. Kept (at least) 24 hours; here: kept.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_client_id", "key"),)

    api_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"))
    key: Mapped[str] = mapped_column(String(255))
    endpoint: Mapped[str] = mapped_column(String(100))
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime]


class WebhookStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry; a person can resend it


class WebhookDelivery(UUIDPrimaryKey, Base):
    """One event for one client's webhook endpoint, queued in the transaction that caused it.

    ``id`` is the event id the receiver dedupes by; resending keeps it. The scheduler's
    ``deliver-webhooks`` job posts due deliveries and retries with backoff.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    api_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    status: Mapped[WebhookStatus] = mapped_column(default=WebhookStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    last_response: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None]


class RegistrationDraft(UUIDPrimaryKey, Base):
    """The answers of a registration in progress, kept here rather than in the session cookie.

    The cookie holds only a random token (its SHA-256 hash is the key here), so the bank details
    and the password's hash never travel with every request nor sit in a browser. A draft is
    deleted when the setting is registered and forgotten after ``expires_at``.
    """

    __tablename__ = "registration_drafts"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


def _language_of(session: Session, email: str) -> str | None:
    """The language the ProviderUser with this email chose, for the emails they are sent."""
    return session.scalar(select(ProviderUser.language).where(ProviderUser.email == email.strip().lower()))


notify.register_language_lookup(_language_of)
