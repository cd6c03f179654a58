"""Parents, children and consents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from config import notify
from config.database import Base, Timestamps, UUIDPrimaryKey
from config.errors import InvalidTransition


class Parent(UUIDPrimaryKey, Timestamps, Base):
    """A Universal Credit claimant. The National Insurance number is kept only as a keyed hash."""

    __tablename__ = "parents"
    __table_args__ = (CheckConstraint("language IN ('en', 'cy')", name="language"),)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), unique=True)
    uc_claim_reference: Mapped[str | None] = mapped_column(String(40), unique=True)
    nino_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    nino_last: Mapped[str | None] = mapped_column(String(4))
    # Sets the day of the month each assessment period starts on.
    claim_start_date: Mapped[date | None]
    # The language the parent chose for their pages and emails: "en" or "cy".
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    # On a joint claim, the partner's row points at the parent who linked the claim (the lead):
    # the household's children, consents and invoices stay on the lead's id. None: their own.
    partner_of_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parents.id"), index=True)

    children: Mapped[list[Child]] = relationship(back_populates="parent", order_by="Child.created_at")


class Child(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "children"

    parent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    disabled: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Parent] = relationship(back_populates="children")


class ConsentStatus(StrEnum):
    AWAITING_AUTHORISATION = "awaiting_authorisation"
    AUTHORISED = "authorised"
    REJECTED = "rejected"
    REVOKED = "revoked"
    EXPIRED = "expired"


CONSENT_TRANSITIONS = {
    ConsentStatus.AWAITING_AUTHORISATION: frozenset({ConsentStatus.AUTHORISED, ConsentStatus.REJECTED}),
    ConsentStatus.AUTHORISED: frozenset({ConsentStatus.REVOKED, ConsentStatus.EXPIRED}),
    # An ended consent renewed by the parent in the service: the same consent, live again.
    ConsentStatus.EXPIRED: frozenset({ConsentStatus.AUTHORISED}),
}


class Consent(UUIDPrimaryKey, Timestamps, Base):
    """A parent's permission for one provider to invoice DWP for one child."""

    __tablename__ = "consents"
    __table_args__ = (
        # At most one live consent per provider and child; old ones stay for the record.
        Index(
            "uq_consents_live_per_provider_child",
            "provider_id",
            "child_id",
            unique=True,
            sqlite_where=text("status IN ('awaiting_authorisation', 'authorised')"),
            postgresql_where=text("status IN ('awaiting_authorisation', 'authorised')"),
        ),
    )

    # A provider may ask by email before the parent has an account: the parent and child are
    # then known only once the parent signs in and picks or adds the child.
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parents.id"), index=True)
    child_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("children.id"), index=True)
    requested_email: Mapped[str | None] = mapped_column(String(320))
    requested_child_first_name: Mapped[str | None] = mapped_column(String(100))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("providers.id"), index=True)
    status: Mapped[ConsentStatus] = mapped_column(default=ConsentStatus.AWAITING_AUTHORISATION)
    authorised_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # How many of the warnings before it ends (30 days, then 7) the parent has been sent for
    # the current end date: each is sent once, and renewing starts again.
    ending_warnings_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    child: Mapped[Child | None] = relationship()
    parent: Mapped[Parent | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def authorise(self, child: Child, at: datetime, expires_at: datetime) -> None:
        """What an authorised consent records (its move is ``config.transitions``')."""
        self.parent_id, self.child_id = child.parent_id, child.id
        self.authorised_at, self.expires_at = at, expires_at

    def reconfirm(self, at: datetime, expires_at: datetime) -> None:
        """Extend a live or ended consent without a new OAuth flow (the parent's own choice)."""
        if not (self.is_live_on(at) or self.status is ConsentStatus.EXPIRED):
            raise InvalidTransition("Only a live or ended consent can be renewed")
        self.expires_at, self.ending_warnings_sent = expires_at, 0

    def is_live_on(self, at: datetime) -> bool:
        return (
            self.status is ConsentStatus.AUTHORISED and self.expires_at is not None and self.expires_at > at
        )


class PartnerInvitation(UUIDPrimaryKey, Timestamps, Base):
    """The lead's invitation to their partner on a joint claim, emailed as a link.

    Only the link's SHA-256 hash is kept. It works once, for ``INVITATION_DAYS``, for someone
    signed in with the email address it was sent to who knows the claim reference.
    """

    __tablename__ = "partner_invitations"

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("parents.id"))
    cancelled_at: Mapped[datetime | None]
    # Wrong claim references or National Insurance numbers given with this link.
    failed_tries: Mapped[int] = mapped_column(default=0, server_default="0")

    def is_open_on(self, at: datetime) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > at


class CouncilSharing(UUIDPrimaryKey, Timestamps, Base):
    """A parent's agreement that DWP may tell the council where their child's nursery is about
    the early-years help the child may be eligible for (names, dates of birth, the flags and
    what they rest on). Withdrawing keeps the row, dated; agreeing again is a new row."""

    __tablename__ = "council_sharing"
    __table_args__ = (
        # At most one agreement in force per parent; withdrawn ones stay for the record.
        Index(
            "uq_council_sharing_in_force_per_parent",
            "parent_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        CheckConstraint("withdrawn_at IS NULL OR withdrawn_at >= agreed_at", name="withdrawn_after_agreed"),
    )

    # Who agreed: the parent, for themselves (each partner of a joint claim chooses for their own).
    parent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"), index=True)
    agreed_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]


class AuthorizationCode(UUIDPrimaryKey, Base):
    """A one-time code from the consent screen (OAuth authorization code with PKCE S256).

    Only its SHA-256 hash is kept; it is spent on first use and lives five minutes.
    """

    __tablename__ = "oauth_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id"))
    parent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parents.id"))
    consent_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consents.id"))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(200))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


def _language_of(session: Session, email: str) -> str | None:
    """The language the Parent with this email chose, for the emails they are sent."""
    return session.scalar(select(Parent.language).where(Parent.email == email.strip().lower()))


notify.register_language_lookup(_language_of)
