"""Parent use cases: the claim, children and consents. Each is one transaction, audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session, joinedload

from claimants import messages, partners, repository
from claimants.consents import claim_consent_request as claim_consent_request  # re-exported
from claimants.consents import expire_consents as expire_consents
from claimants.consents import reconfirm_consent as reconfirm_consent
from claimants.consents import warn_ending_consents as warn_ending_consents
from claimants.lifecycle import CONSENT as CONSENT
from claimants.models import Child, Consent, ConsentStatus, Parent
from claimants.nino import nino_hash, nino_last, normalise_nino
from claimants.partners import claim_is_joint as claim_is_joint
from claimants.partners import end_partner_link as end_partner_link
from claimants.partners import household_of as household_of
from claimants.partners import invite_partner as invite_partner
from claimants.partners import join_household as join_household
from claimants.partners import partners_of as partners_of
from claimants.rules import childcare_age_limit
from claimants.sign_in import EMAIL_IN_USE_MESSAGE as EMAIL_IN_USE_MESSAGE
from claimants.sign_in import parent_actor as parent_actor
from claimants.sign_in import register_parent as register_parent
from claimants.sign_in import sign_in_parent as sign_in_parent
from config import audit, notify, settings, transitions
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import (
    N_,
    ConsentNotAuthorised,
    DomainError,
    FieldError,
    NotFound,
    ValidationFailed,
    rule,
)
from config.formatting import day, last_day
from providers import idempotency as idempotent
from providers import repository as providers_repository
from providers.idempotency import Idempotency


def _nino_key() -> bytes:
    return ("nino:" + settings.current().secret_key).encode()


def link_claim(
    session: Session, actor: Actor, *, claim_reference: str, nino: str, claim_start_date: date
) -> Parent:
    """Link the Universal Credit claim; its start date fixes the assessment periods. A partner on
    a joint claim shares their lead's claim and links none of their own."""
    if actor.require_parent() != actor.id:
        raise rule(
            "partner_links_no_claim",
            "Your claim is already linked",
            N_("Your partner has linked your joint claim. You see and answer its invoices and consents."),
        )
    parent_id = actor.require_parent()
    errors: list[FieldError] = []
    try:
        nino = normalise_nino(nino)
    except ValueError as exc:
        errors.append(FieldError("nino", str(exc)))
    reference = claim_reference.strip().upper()
    if not reference:
        errors.append(FieldError("claim_reference", "Enter your Universal Credit claim reference"))
    if claim_start_date > utcnow().date():
        errors.append(
            FieldError("claim_start_date", "The date your claim started must be today or in the past")
        )
    if errors:
        raise ValidationFailed("The claim details are not valid", errors=errors)

    def claim_in_use() -> DomainError:
        return rule(
            "claim_already_linked", "Claim already linked", "This claim is already linked to another account"
        )

    with transaction(session, {"nino_hash": claim_in_use, "uc_claim_reference": claim_in_use}):
        parent = repository.get_parent(session, parent_id)
        if parent.uc_claim_reference is not None:
            # Linked once, for good: another claim (or start day) would give the same care a
            # second monthly maximum and send corrections to the wrong claim. DWP changes it.
            raise rule(
                "claim_linked_already",
                "Your claim is already linked",
                N_("Your Universal Credit claim is already linked. If it has changed, contact DWP."),
            )
        parent.uc_claim_reference = reference
        parent.nino_hash, parent.nino_last = nino_hash(nino, _nino_key()), nino_last(nino)
        parent.claim_start_date = claim_start_date
        audit.record(
            session,
            "parent.claim_linked",
            parent,
            actor,
            {"claim_reference": reference, "claim_start_date": claim_start_date},
        )
    return parent


def add_child(
    session: Session, actor: Actor, *, first_name: str, last_name: str, date_of_birth: date, disabled: bool
) -> Child:
    parent_id = actor.require_parent()
    errors: list[FieldError] = []
    if not first_name.strip():
        errors.append(FieldError("first_name", "Enter the child's first name"))
    if not last_name.strip():
        errors.append(FieldError("last_name", "Enter the child's last name"))
    if date_of_birth > utcnow().date():
        errors.append(FieldError("date_of_birth", "Date of birth must be today or in the past"))
    elif childcare_age_limit(date_of_birth) <= utcnow().date():
        too_old = N_(
            "Universal Credit helps with childcare only until the 1 September after a child turns 16"
        )
        errors.append(FieldError("date_of_birth", too_old))
    if errors:
        raise ValidationFailed("The child's details are not valid", errors=errors)
    with transaction(session):
        child = Child(
            id=uuid.uuid4(),
            parent_id=parent_id,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            date_of_birth=date_of_birth,
            disabled=disabled,
        )
        session.add(child)
        audit.record(session, "child.added", child, actor, {"disabled": disabled})
    return child


def request_consent(session: Session, actor: Actor, *, parent_email: str, child_first_name: str) -> Consent:
    """A provider asks a parent (by email) for consent to invoice DWP for a child."""
    consent, _replayed = _request(session, actor, parent_email, child_first_name, None)
    return consent


def request_consent_once(
    session: Session, actor: Actor, *, parent_email: str, child_first_name: str, idempotency: Idempotency
) -> tuple[Consent, bool]:
    """``request_consent`` under an Idempotency-Key: ``(consent, replayed)``. The same key and
    body answer the request the first one made (and email nobody again); another body: 409."""
    return idempotent.once(
        session,
        idempotency,
        lambda: _request(session, actor, parent_email, child_first_name, idempotency),
        lambda consent_id: session.get_one(Consent, consent_id),
    )


def _request(
    session: Session, actor: Actor, parent_email: str, child_first_name: str, idempotency: Idempotency | None
) -> tuple[Consent, bool]:
    provider_id = actor.require_provider()
    email = parent_email.strip().lower()
    if not notify.looks_like_email(email):
        raise ValidationFailed(
            "The request is not valid",
            errors=[
                FieldError(
                    "parent_email", "Enter an email address in the correct format, like name@example.com"
                )
            ],
        )
    if not child_first_name.strip():
        raise ValidationFailed(
            "The request is not valid",
            errors=[FieldError("child_first_name", "Enter the child's first name")],
        )
    with transaction(session, {idempotent.CONFLICT: idempotent.key_in_use}):
        made_before = idempotent.earlier(session, idempotency)
        if made_before is not None:
            return session.get_one(Consent, made_before), True
        parent = repository.find_parent_by_email(session, email)
        consent = Consent(
            id=uuid.uuid4(),
            provider_id=provider_id,
            parent_id=partners.household_id(parent) if parent else None,
            requested_email=email,
            requested_child_first_name=child_first_name.strip(),
        )
        session.add(consent)
        audit.record(
            session, "consent.requested", consent, actor, {"child_first_name": child_first_name.strip()}
        )
        provider_name = providers_repository.get_provider(session, provider_id).name
        notify.queue_email(
            session,
            to=email,
            template="consent_request",
            reference=f"consent-{consent.id}",
            provider=provider_name,
            child=child_first_name.strip(),
            link=f"{settings.current().base_url.rstrip('/')}/account/consents/{consent.id}/respond",
        )
        idempotent.remember(session, idempotency, consent.id)
    return consent, False


def open_consent(session: Session, actor: Actor, *, provider_id: uuid.UUID) -> Consent:
    """The parent arrives at the consent screen from a provider's software (OAuth)."""
    parent_id = actor.require_parent()
    with transaction(session):
        consent = Consent(id=uuid.uuid4(), provider_id=provider_id, parent_id=parent_id)
        session.add(consent)
        audit.record(session, "consent.requested", consent, actor, {"through": "oauth"})
    return consent


def _own_consent(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    parent_id = actor.require_parent()
    consent = repository.get_consent(session, consent_id, for_update=True)
    if consent.parent_id != parent_id:
        raise NotFound("No consent with that id")
    return consent


def authorise_consent(session: Session, actor: Actor, consent_id: uuid.UUID, child_id: uuid.UUID) -> Consent:
    """The parent approves: the provider may invoice DWP for this child until the consent expires."""
    now = utcnow()

    def already() -> DomainError:
        return rule(
            "consent_exists", "Consent already given", "This provider already has your consent for this child"
        )

    with transaction(
        session, {"uq_consents_live_per_provider_child": already, "consents.provider_id": already}
    ):
        consent = _own_consent(session, actor, consent_id)
        child = repository.get_child_of(session, actor.require_parent(), child_id)
        consent.authorise(child, now, now + timedelta(days=settings.current().consent_validity_days))
        transitions.move(
            session,
            CONSENT,
            consent,
            ConsentStatus.AUTHORISED,
            actor,
            child_id=child.id,
            expires_at=consent.expires_at,
        )
        messages.tell_parent(
            session, consent, "consent_given", step="given", until=last_day(consent.expires_at)
        )
    return consent


def reject_consent(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    with transaction(session):
        consent = _own_consent(session, actor, consent_id)
        transitions.move(session, CONSENT, consent, ConsentStatus.REJECTED, actor)
    return consent


def revoke_consent(session: Session, actor: Actor, consent_id: uuid.UUID) -> Consent:
    """Stops new invoices under the consent at once, and its API tokens with it.

    Invoices already confirmed keep their course.
    """
    now = utcnow()
    with transaction(session):
        consent = _own_consent(session, actor, consent_id)
        consent.revoked_at = now
        revoked = providers_repository.revoke_consent_tokens(session, consent.id, now)
        transitions.move(session, CONSENT, consent, ConsentStatus.REVOKED, actor, tokens_revoked=revoked)
        messages.tell_parent(session, consent, "consent_stopped", step="stopped", on=day(now))
    return consent


NOT_AUTHORISED = {
    ConsentStatus.AWAITING_AUTHORISATION: N_("The consent is awaiting authorisation, not authorised"),
    ConsentStatus.REJECTED: N_("The consent is rejected, not authorised"),
    ConsentStatus.REVOKED: N_("The consent is revoked, not authorised"),
    ConsentStatus.EXPIRED: N_("The consent is expired, not authorised"),
}


def live_consent(session: Session, consent_id: uuid.UUID, provider_id: uuid.UUID, at: datetime) -> Consent:
    """The consent a provider invoices under, if it is theirs and live now.

    Another provider's consent is not found (its existence is never revealed).
    """
    # The child and parent come in the same query: whoever invoices under a consent needs both.
    family = [joinedload(Consent.child).joinedload(Child.parent)]
    consent = session.get(Consent, consent_id, options=family)
    if consent is None or consent.provider_id != provider_id:
        raise NotFound("No consent with that id")
    if consent.status is not ConsentStatus.AUTHORISED:
        raise ConsentNotAuthorised(NOT_AUTHORISED[consent.status])
    if not consent.is_live_on(at):
        raise ConsentNotAuthorised("The consent has expired: ask the parent to reconfirm it")
    return consent


def grant_consent(session: Session, actor: Actor, *, provider_id: uuid.UUID, child_id: uuid.UUID) -> Consent:
    """The parent approves on the OAuth consent screen: an authorised consent for this child.

    A live consent the provider already holds for the child is answered again, not duplicated.
    """
    parent_id = actor.require_parent()
    now = utcnow()
    with transaction(session):
        child = repository.get_child_of(session, parent_id, child_id)
        existing = repository.live_consent_for(session, provider_id, child.id)
        if existing is not None and existing.is_live_on(now):
            return existing
        consent = Consent(id=uuid.uuid4(), provider_id=provider_id, parent_id=parent_id)
        session.add(consent)
        consent.authorise(child, now, now + timedelta(days=settings.current().consent_validity_days))
        transitions.move(
            session,
            CONSENT,
            consent,
            ConsentStatus.AUTHORISED,
            actor,
            child_id=child.id,
            expires_at=consent.expires_at,
            through="oauth",
        )
        messages.tell_parent(
            session, consent, "consent_given", step="given", until=last_day(consent.expires_at)
        )
    return consent


def refuse_consent(session: Session, actor: Actor, *, provider_id: uuid.UUID) -> Consent:
    """The parent declines on the OAuth consent screen: recorded as a rejected request."""
    parent_id = actor.require_parent()
    with transaction(session):
        consent = Consent(id=uuid.uuid4(), provider_id=provider_id, parent_id=parent_id)
        session.add(consent)
        transitions.move(session, CONSENT, consent, ConsentStatus.REJECTED, actor, through="oauth")
    return consent
