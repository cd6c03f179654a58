"""Plain builders for test data. Each goes through the service layer, as users would."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimants import service as claimants
from claimants.models import Child, Consent
from config.auth import SYSTEM, Actor, ActorKind, StaffRole
from config.notify import Notification
from invoicing import service as invoicing
from invoicing.models import Invoice, InvoiceStatus, PaymentBatch
from invoicing.service import InvoiceInput, LineInput
from providers import accounts, payees
from providers import service as providers
from providers.models import Provider, ProviderUserRole, Regulator
from staff.models import StaffUser

_serial = itertools.count(1)


def today() -> date:
    return invoicing.today_in_london()


def previous_month() -> tuple[date, date]:
    last = today().replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def create_staff(session: Session, *roles: StaffRole, name: str | None = None) -> Actor:
    n = next(_serial)
    user = StaffUser(
        id=uuid.uuid4(),
        email=f"staff{n}@dwp.example",
        name=name or f"Staff {n}",
        roles=[role.value for role in roles],
        oidc_subject=f"staff-sub-{n}",
    )
    session.add(user)
    session.commit()
    return user.as_actor()


# A registration number of each regulator's format, for the n-th provider.
REGISTRATION_NUMBERS = {
    Regulator.OFSTED: "EY{n:06d}",
    Regulator.CARE_INSPECTORATE_WALES: "W{n:08d}",
    Regulator.CARE_INSPECTORATE_SCOTLAND: "CS{n:010d}",
    Regulator.APPROVED_SCHEME: "AS{n:06d}",
}


def create_provider(
    session: Session,
    *,
    verified: bool = True,
    stripe_account: str | None = None,
    name: str | None = None,
    regulator: Regulator = Regulator.OFSTED,
) -> tuple[Provider, Actor]:
    n = next(_serial)
    provider = providers.register_provider(
        session,
        providers.Registration(
            name=name or f"Nursery {n}",
            regulator=regulator,
            registration_number=REGISTRATION_NUMBERS[regulator].format(n=n),
            postcode="SW1A 2AA",
            address="1 Test Street, London",
            region="London",
            bank=payees.BankDetails("089999", "66374958", f"Nursery {n}"),
            admin_name=f"Admin {n}",
            admin_email=f"admin{n}@nursery.example",
        ),
    )
    if stripe_account:  # recorded while DWP verifies it: no cooling-off, but another person releases it
        onboarded = payees.change_payee(
            session,
            create_staff(session, StaffRole.FINANCE_OFFICER),
            provider.id,
            payees.StripeAccount(stripe_account),
            "Onboarded to Stripe Connect",
        )
        payees.release_payee(session, create_staff(session, StaffRole.APPROVER), provider.id, onboarded.id)
    if verified:
        verify(session, provider)
    return provider, provider_admin(provider)


def verify(session: Session, provider: Provider) -> None:
    """One DWP person checks the registration and another verifies it, as the pages do."""
    providers.check_provider(session, create_staff(session, StaffRole.CASEWORKER), provider.id)
    providers.verify_provider(session, create_staff(session, StaffRole.CASEWORKER), provider.id)


def provider_admin(provider: Provider) -> Actor:
    admin = provider.users[0]
    return Actor(
        kind=ActorKind.PROVIDER_USER,
        id=admin.id,
        label=admin.name,
        provider_id=provider.id,
        provider_admin=True,
    )


PASSWORD = "correct horse battery staple"


def give_password(session: Session, user: Actor, *, second_factor: bool = False) -> str | None:
    """Let a provider user sign in with ``PASSWORD``; with ``second_factor``, returns their TOTP secret."""
    accounts.set_password(session, user, PASSWORD)
    if not second_factor:
        return None
    secret = accounts.new_totp_secret()
    accounts.set_up_second_factor(session, user, secret, pyotp.TOTP(secret).now())
    return secret


def create_provider_user(session: Session, provider: Provider, admin: Actor, *, role: str = "staff") -> Actor:
    """A colleague invited by the admin who has accepted (through the service, as the pages do)."""
    n = next(_serial)
    invitation = accounts.invite_colleague(
        session,
        admin,
        email=f"colleague{n}@nursery.example",
        name=f"Colleague {n}",
        role=ProviderUserRole(role),
        link_base="http://test/provider/invitations",
    )
    link = session.scalars(
        select(Notification.personalisation).where(Notification.reference == f"invitation-{invitation.id}")
    ).one()["link"]
    user = accounts.accept_invitation(session, link.rsplit("/", 1)[1], PASSWORD)
    return accounts.user_actor(user)


def create_parent(session: Session, *, claim_start: date | None = None, linked: bool = True) -> Actor:
    n = next(_serial)
    parent = claimants.register_parent(
        session, name=f"Parent {n}", email=f"parent{n}@example.com", oidc_subject=f"sub-{n}"
    )
    actor = claimants.parent_actor(parent)
    if linked:
        claimants.link_claim(
            session,
            actor,
            claim_reference=f"UC{n:08d}",
            nino=f"JK{n:06d}A",
            claim_start_date=claim_start or today() - timedelta(days=300),
        )
    return actor


def create_child(
    session: Session,
    parent: Actor,
    *,
    born: date | None = None,
    disabled: bool = False,
    first_name: str = "Sam",
) -> Child:
    return claimants.add_child(
        session,
        parent,
        first_name=first_name,
        last_name="Test",
        date_of_birth=born or today() - timedelta(days=3 * 365),
        disabled=disabled,
    )


def create_consent(session: Session, provider: Actor, parent: Actor, child: Child) -> Consent:
    parent_row = claimants.repository.get_parent(session, parent.parent_id)  # type: ignore[arg-type]
    request = claimants.request_consent(
        session, provider, parent_email=parent_row.email, child_first_name=child.first_name
    )
    return claimants.authorise_consent(session, parent, request.id, child.id)


def invoice_input(
    consent: Consent,
    *,
    number: str | None = None,
    care_from: date | None = None,
    care_to: date | None = None,
    eligible_pence: int = 95_000,
    extras_pence: int = 4_000,
    hours: str | None = "120",
) -> InvoiceInput:
    start, end = previous_month()
    lines = [LineInput("Full days", eligible_pence, True, Decimal(hours) if hours is not None else None)]
    if extras_pence:
        lines.append(LineInput("Meals", extras_pence, False))
    return InvoiceInput(
        consent_id=consent.id,
        invoice_number=number or f"INV-{next(_serial)}",
        issued_on=today(),
        care_from=care_from or start,
        care_to=care_to or end,
        lines=tuple(lines),
    )


class World:
    """A verified provider, a parent with a linked claim, a child and a live consent."""

    def __init__(self, session: Session, *, stripe_account: str | None = None) -> None:
        self.session = session
        self.provider, self.provider_user = create_provider(session, stripe_account=stripe_account)
        self.parent = create_parent(session)
        self.child = create_child(session, self.parent)
        self.consent = create_consent(session, self.provider_user, self.parent, self.child)
        self.caseworker = create_staff(session, StaffRole.CASEWORKER)
        self.officer = create_staff(session, StaffRole.FINANCE_OFFICER)
        self.approver = create_staff(session, StaffRole.APPROVER)

    def submit(self, **kwargs: object) -> Invoice:
        return invoicing.submit_invoice(
            self.session, self.provider_user, invoice_input(self.consent, **kwargs)
        )  # type: ignore[arg-type]

    def approved_invoice(self, **kwargs: object) -> Invoice:
        invoice = self.submit(**kwargs)
        invoicing.confirm_invoice(self.session, self.parent, invoice.id)
        invoicing.run_automatic_checks(self.session, SYSTEM)
        self.session.refresh(invoice)
        assert invoice.status is InvoiceStatus.APPROVED, invoice.flags
        return invoice

    def approved_batch(self) -> PaymentBatch:
        batch = invoicing.build_batch(self.session, self.officer)
        assert batch is not None
        invoicing.request_batch_approval(self.session, self.officer, batch.id)
        return invoicing.approve_batch(self.session, self.approver, batch.id)


def send_by_bacs(session: Session, approver: Actor, batch_id: uuid.UUID):
    """The approver makes the batch's Bacs file and records it as submitted to the bank."""
    from invoicing.service import sending

    made = sending.make_bacs_file(session, approver, batch_id)
    sending.record_bacs_file_submitted(session, approver, batch_id)
    return made


def create_joint_claim(session: Session, lead: Actor, *, joint: bool = True) -> str:
    """The development claim system's record of the lead's claim, joint unless told: its reference."""
    from claims.models import DevClaim

    parent = claimants.repository.get_parent(session, lead.parent_id)  # type: ignore[arg-type]
    assert parent.uc_claim_reference and parent.claim_start_date
    session.add(
        DevClaim(
            id=uuid.uuid4(),
            reference=parent.uc_claim_reference,
            claim_start_date=parent.claim_start_date,
            joint=joint,
        )
    )
    session.commit()
    return parent.uc_claim_reference


def invitation_token(session: Session, invitation_id: uuid.UUID) -> str:
    """The token in the link a partner invitation's email carries."""
    link = session.scalars(
        select(Notification.personalisation).where(
            Notification.reference == f"partner-invitation-{invitation_id}"
        )
    ).one()["link"]
    return str(link).rsplit("/", 1)[1]


def create_partner(session: Session, lead: Actor, *, nino: str | None = None) -> Actor:
    """The lead's partner on a joint claim, invited by the lead and joined (the claim made joint in
    the development claim system first, if it is not yet there)."""
    from claims.models import DevClaim

    reference = claimants.repository.get_parent(session, lead.parent_id).uc_claim_reference  # type: ignore[arg-type]
    if session.scalars(select(DevClaim).where(DevClaim.reference == reference)).first() is None:
        create_joint_claim(session, lead)
    n = next(_serial)
    partner = claimants.register_parent(
        session, name=f"Partner {n}", email=f"partner{n}@example.com", oidc_subject=f"sub-partner-{n}"
    )
    invitation = claimants.invite_partner(session, lead, email=partner.email)
    claimants.join_household(
        session,
        claimants.parent_actor(partner),
        invitation_token(session, invitation.id),
        claim_reference=str(reference),
        nino=nino or f"PN{n:06d}B",
    )
    session.refresh(partner)
    return claimants.parent_actor(partner)
