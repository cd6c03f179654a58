"""Joint claims: the partner of the parent who linked the claim shares their household.

The household is the parent who linked the Universal Credit claim first (the lead). Their
partner has a parent record of their own (their own sign-in, email and language) pointing at the
lead's (``Parent.partner_of_id``); the children, consents and invoices stay on the lead's id, so
both see the same figures by construction. ``household_id`` is the one place that says whose
records a signed-in parent works on (``parent_actor`` puts it in ``Actor.parent_id``), while
audit events name the person who acted (``Actor.id``, ``Actor.label``).

Joining takes two people: the lead invites (only on a claim the claim system says is joint),
and the partner, signed in with the email address invited, confirms the claim reference and
their own National Insurance number. Either of them can end the link; an ended partner is a
parent with nothing of their own again.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claimants import repository
from claimants.models import Child, Consent, Parent, PartnerInvitation
from claimants.nino import nino_hash, nino_last, normalise_nino
from claims import ClaimSystemUnavailable
from claims import systems as claim_systems
from config import audit, notify, settings
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import N_, DomainError, FieldError, NotFound, ValidationFailed, rule
from config.formatting import LONDON

INVITATION_DAYS = 7
# Wrong claim references or National Insurance numbers an invitation takes before it stops working.
MOST_WRONG_TRIES = 5
JOIN_PAGE = "/account/partner/join/"
EMAIL_FORMAT = N_("Enter an email address in the correct format, like name@example.com")
WRONG_REFERENCE = N_("The claim reference does not match your partner's claim")
NINO_IN_USE = N_("This National Insurance number is already used by another account")


def household_id(parent: Parent) -> uuid.UUID:
    """Whose children, consents and invoices ``parent`` works on: their lead's, on a joint claim."""
    return parent.partner_of_id or parent.id


def household_of(session: Session, parent: Parent) -> Parent:
    """The parent who holds the claim ``parent`` shares (``parent`` itself when it is theirs)."""
    return parent if parent.partner_of_id is None else repository.get_parent(session, parent.partner_of_id)


def partners_of(session: Session, lead_id: uuid.UUID) -> list[Parent]:
    return repository.partners_of(session, lead_id)


def open_invitation_of(session: Session, lead_id: uuid.UUID) -> PartnerInvitation | None:
    """The lead's invitation still waiting for their partner, if any."""
    now = utcnow()
    for invitation in session.scalars(
        select(PartnerInvitation)
        .where(PartnerInvitation.household_id == lead_id)
        .order_by(PartnerInvitation.created_at.desc())
    ):
        if invitation.is_open_on(now):
            return invitation
    return None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _nino_key() -> bytes:
    return ("nino:" + settings.current().secret_key).encode()  # the same key as the lead's


def _lead(session: Session, actor: Actor) -> Parent:
    """The signed-in parent, who must hold a linked claim of their own to invite a partner."""
    actor.require_parent()
    parent = repository.get_parent(session, actor.id)  # type: ignore[arg-type]  # a parent has an id
    if parent.partner_of_id is not None:
        raise rule(
            "partner_cannot_invite",
            "You cannot invite anyone to this claim",
            N_("Only the partner who linked your joint claim can invite someone to it"),
        )
    if parent.uc_claim_reference is None:
        raise rule(
            "claim_not_linked",
            "Link your claim first",
            N_("Link your Universal Credit claim before you invite your partner"),
        )
    return parent


CLAIM_UNKNOWN = N_(
    "We could not find your claim in Universal Credit's records, so we cannot add a "
    "partner to it. Check your claim reference, or contact DWP."
)
NOT_JOINT = N_(
    "Universal Credit's records say your claim is not a joint claim, so there is no "
    "partner to invite. If you now claim as a couple, tell Universal Credit first."
)


def _refuse_unless_joint(session: Session, reference: str) -> None:
    try:
        facts = claim_systems.current(session).period(reference, utcnow().astimezone(LONDON).date())
    except ClaimSystemUnavailable as exc:
        raise rule(
            "claim_system_unavailable",
            "We could not check your claim",
            N_("We could not check your claim with Universal Credit just now. Try again later."),
        ) from exc
    if facts is None:
        raise rule("claim_unknown", "We could not check your claim", CLAIM_UNKNOWN)
    if not facts.joint:
        raise rule("claim_not_joint", "Your claim is not a joint claim", NOT_JOINT)


def claim_is_joint(session: Session, lead: Parent) -> bool | None:
    """Whether the claim system says ``lead``'s claim is a joint claim today: ``None`` when that
    cannot be told (no claim linked, a claim it does not know, or no answer from it). Pages show
    a partner's place only on a joint claim; inviting checks again (``invite_partner``)."""
    if lead.uc_claim_reference is None:
        return None
    try:
        facts = claim_systems.current(session).period(
            lead.uc_claim_reference, utcnow().astimezone(LONDON).date()
        )
    except ClaimSystemUnavailable:
        return None
    return None if facts is None else facts.joint


def invite_partner(session: Session, actor: Actor, *, email: str) -> PartnerInvitation:
    """The lead asks their partner on a joint claim to join them: a link emailed to the partner,
    working once for 7 days. An earlier invitation still waiting stops working. Refused when the
    claim system does not say the claim is joint, or a partner has already joined."""
    email = email.strip().lower()
    if not notify.looks_like_email(email):
        raise ValidationFailed(
            "The invitation is not valid",
            errors=[
                FieldError("email", N_("Enter an email address in the correct format, like name@example.com"))
            ],
        )
    lead = _lead(session, actor)
    if email == lead.email:
        raise ValidationFailed(
            "The invitation is not valid",
            errors=[FieldError("email", N_("Enter your partner's email address, not your own"))],
        )
    if partners_of(session, lead.id):
        raise rule(
            "partner_already_joined",
            "Your partner has already joined",
            N_(
                "Your partner has already joined your claim. To invite someone else, stop sharing "
                "your claim with them first."
            ),
        )
    _refuse_unless_joint(session, lead.uc_claim_reference)  # type: ignore[arg-type]  # checked in _lead
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with transaction(session):
        earlier = open_invitation_of(session, lead.id)
        if earlier is not None:
            earlier.cancelled_at = now
        invitation = PartnerInvitation(
            id=uuid.uuid4(),
            household_id=lead.id,
            email=email,
            token_hash=_token_hash(token),
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
        session.add(invitation)
        audit.record(
            session,
            "parent.partner_invited",
            lead,
            actor,
            {"invitation_id": str(invitation.id), "replaced": str(earlier.id) if earlier else None},
        )
        notify.queue_email(
            session,
            to=email,
            template="partner_invitation",
            reference=f"partner-invitation-{invitation.id}",
            inviter=lead.name,
            link=settings.current().base_url.rstrip("/") + JOIN_PAGE + token,
        )
    return invitation


def _gone() -> DomainError:
    return rule(
        "invitation_gone",
        "This invitation link has stopped working",
        N_(
            "This invitation link has expired, been used or been replaced. Ask your partner to "
            "invite you again from their Childcare Direct account."
        ),
    )


def invitation_for(session: Session, token: str) -> PartnerInvitation:
    """The invitation a link's token names, while it still works (else ``invitation_gone``)."""
    invitation = session.scalars(
        select(PartnerInvitation).where(PartnerInvitation.token_hash == _token_hash(token))
    ).one_or_none()
    if invitation is None:
        raise NotFound("No invitation with that link")
    if not invitation.is_open_on(utcnow()):
        raise _gone()
    return invitation


def _has_own_records(session: Session, parent: Parent) -> bool:
    children = session.scalar(select(func.count()).select_from(Child).where(Child.parent_id == parent.id))
    consents = session.scalar(select(func.count()).select_from(Consent).where(Consent.parent_id == parent.id))
    partners = session.scalar(
        select(func.count()).select_from(Parent).where(Parent.partner_of_id == parent.id)
    )
    return bool(children or consents or partners or parent.uc_claim_reference)


def join_household(session: Session, actor: Actor, token: str, *, claim_reference: str, nino: str) -> Parent:
    """The invited partner, signed in, joins the lead's household.

    They must be signed in with the email address the lead invited, give the claim's reference
    and their own National Insurance number (kept as a keyed hash, like the lead's), and have no
    claim, children or consents of their own. Wrong answers are counted: after
    ``MOST_WRONG_TRIES`` the invitation stops working.
    """
    actor.require_parent()
    errors: list[FieldError] = []
    try:
        nino = normalise_nino(nino)
    except ValueError as exc:
        errors.append(FieldError("nino", str(exc)))
    reference = claim_reference.strip().upper()
    if not reference:
        errors.append(FieldError("claim_reference", N_("Enter your Universal Credit claim reference")))
    if errors:
        raise ValidationFailed("The details are not valid", errors=errors)
    invitation = invitation_for(session, token)
    person = repository.get_parent(session, actor.id)  # type: ignore[arg-type]  # a parent has an id
    lead = repository.get_parent(session, invitation.household_id)
    if person.id == lead.id:
        raise rule(
            "own_invitation",
            "You sent this invitation",
            N_("You sent this invitation. Your partner needs to open the link and sign in themselves."),
        )
    if person.partner_of_id is not None:
        raise rule(
            "already_a_partner",
            "You are already on a joint claim",
            N_("You already share a partner's claim. Leave it before you join another."),
        )
    if person.email != invitation.email:
        raise rule(
            "invitation_for_another_email",
            "This invitation was sent to another email address",
            N_(
                "This invitation was sent to another email address. Sign out, then sign in with "
                "the email address your partner invited."
            ),
        )
    if _has_own_records(session, person):
        raise rule(
            "has_own_records",
            "You cannot join your partner's claim from this account",
            N_(
                "Your account already has a claim, children or consents of its own, so it cannot "
                "join your partner's claim. Contact DWP to have the accounts put together."
            ),
        )
    own_hash = nino_hash(nino, _nino_key())
    wrong: list[FieldError] = []
    if reference != lead.uc_claim_reference:
        wrong.append(FieldError("claim_reference", WRONG_REFERENCE))
    if own_hash == lead.nino_hash:
        wrong.append(FieldError("nino", N_("Enter your own National Insurance number, not your partner's")))
    if wrong:
        _count_wrong_try(session, invitation, person, actor)
        raise ValidationFailed("The details are not valid", errors=wrong)
    _refuse_unless_joint(session, reference)

    def nino_in_use() -> DomainError:
        return ValidationFailed(
            "The details are not valid",
            errors=[
                FieldError("nino", N_("This National Insurance number is already used by another account"))
            ],
        )

    with transaction(session, {"nino_hash": nino_in_use}):
        invitation = session.get_one(PartnerInvitation, invitation.id, with_for_update=True)
        if not invitation.is_open_on(utcnow()):
            raise _gone()
        person.partner_of_id = lead.id
        person.nino_hash, person.nino_last = own_hash, nino_last(nino)
        invitation.accepted_at, invitation.accepted_by_id = utcnow(), person.id
        audit.record(
            session,
            "parent.partner_joined",
            person,
            actor,
            {"household_id": str(lead.id), "invitation_id": str(invitation.id)},
        )
    return person


def _count_wrong_try(session: Session, invitation: PartnerInvitation, person: Parent, actor: Actor) -> None:
    """Committed before the refusal is raised: the count must survive it."""
    with transaction(session):
        invitation = session.get_one(PartnerInvitation, invitation.id, with_for_update=True)
        tries = invitation.failed_tries + 1
        invitation.failed_tries = tries
        if tries >= MOST_WRONG_TRIES:
            invitation.cancelled_at = utcnow()
        audit.record(
            session,
            "parent.partner_join_refused",
            person,
            actor,
            {"invitation_id": str(invitation.id), "wrong_tries": tries},
        )


def end_partner_link(session: Session, actor: Actor, partner_id: uuid.UUID | None = None) -> Parent:
    """End a partner's link to the household: the partner leaves, or the lead ends it
    (``partner_id``). From then on the partner sees nothing of the household; their National
    Insurance number's hash, kept for the joint claim, goes. Another parent's ids: not found."""
    actor.require_parent()
    with transaction(session):
        me = repository.get_parent(session, actor.id)  # type: ignore[arg-type]  # a parent has an id
        if me.partner_of_id is not None:
            partner = me
        else:
            found = session.get(Parent, partner_id) if partner_id else None
            if found is None or found.partner_of_id != me.id:
                raise NotFound("No partner with that id")
            partner = found
        household = partner.partner_of_id
        partner.partner_of_id = None
        partner.nino_hash = partner.nino_last = None
        audit.record(
            session,
            "parent.partner_link_ended",
            partner,
            actor,
            {"household_id": str(household), "by": "partner" if partner is me else "lead"},
        )
    return partner


def _household_copies(session: Session, email: str) -> list[str]:
    """Who else reads the household's emails sent to ``email``: the lead's partner."""
    lead = repository.find_parent_by_email(session, email)
    if lead is None or lead.partner_of_id is not None:
        return []
    return [partner.email for partner in partners_of(session, lead.id)]


notify.register_household_copies(_household_copies)
