"""Parent use cases on a real database: the claim, children and consents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from claimants import service
from claimants.models import ConsentStatus, Parent
from config.database import utcnow
from config.errors import DomainError, NotFound, ValidationFailed
from tests.factories import create_child, create_consent, create_parent, create_provider, today


def test_the_nino_is_kept_only_as_a_keyed_hash_and_a_claim_links_once(session: Session) -> None:
    parent = create_parent(session, linked=False)
    linked = service.link_claim(
        session, parent, claim_reference="uc123", nino="jk 99 88 77 a", claim_start_date=today()
    )
    assert linked.nino_last == "877A" and "998877" not in (linked.nino_hash or "")
    other = create_parent(session, linked=False)
    with pytest.raises(DomainError) as error:
        service.link_claim(
            session, other, claim_reference="UC999", nino="JK998877A", claim_start_date=today()
        )
    assert error.value.code == "claim_already_linked"
    with pytest.raises(ValidationFailed) as error:
        service.link_claim(
            session, other, claim_reference="", nino="BAD", claim_start_date=today() + timedelta(days=1)
        )
    assert {e.field for e in error.value.errors} == {"claim_reference", "nino", "claim_start_date"}


def test_a_linked_claim_cannot_be_swapped_for_another(session: Session) -> None:
    """Another reference or start day would give the same care a second monthly maximum and send
    corrections to the wrong claim: once linked, only DWP changes it."""
    parent = create_parent(session, linked=False)
    service.link_claim(session, parent, claim_reference="UC123", nino="JK998877A", claim_start_date=today())
    with pytest.raises(DomainError) as error:
        service.link_claim(
            session,
            parent,
            claim_reference="UCOTHER",
            nino="JK998877A",
            claim_start_date=today() - timedelta(days=14),
        )
    assert error.value.code == "claim_linked_already"
    session.expire_all()
    record = session.get_one(Parent, parent.parent_id)
    assert (record.uc_claim_reference, record.claim_start_date) == ("UC123", today())


def test_a_consent_requested_by_email_reaches_the_parent_when_they_sign_up(session: Session) -> None:
    _, provider_user = create_provider(session)
    request = service.request_consent(
        session, provider_user, parent_email="New.Parent@example.com", child_first_name="Ada"
    )
    assert request.parent_id is None and request.status is ConsentStatus.AWAITING_AUTHORISATION
    parent = service.register_parent(
        session, name="New Parent", email="new.parent@example.com", oidc_subject="s-1"
    )
    session.refresh(request)
    assert request.parent_id == parent.id


@pytest.mark.parametrize("email", ["bad@", "bad@example", "@example.com", "two words@example.com"])
def test_a_consent_request_to_an_address_that_cannot_be_one_is_refused(session: Session, email: str) -> None:
    _, provider_user = create_provider(session)
    with pytest.raises(ValidationFailed) as refused:
        service.request_consent(session, provider_user, parent_email=email, child_first_name="Ada")
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("parent_email", "Enter an email address in the correct format, like name@example.com")
    ]


def test_consent_authorise_reconfirm_and_revoke_only_by_its_parent(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent = create_parent(session)
    child = create_child(session, parent)
    consent = create_consent(session, provider_user, parent, child)
    assert consent.status is ConsentStatus.AUTHORISED and consent.child_id == child.id
    stranger = create_parent(session)
    with pytest.raises(NotFound):
        service.revoke_consent(session, stranger, consent.id)
    with pytest.raises(DomainError) as early:  # a minute after consenting: nothing to renew
        service.reconfirm_consent(session, parent, consent.id)
    assert early.value.code == "consent_not_due_for_renewal"
    session.rollback()
    consent.expires_at = utcnow() + timedelta(days=20)
    session.commit()
    first_expiry = consent.expires_at
    with pytest.raises(NotFound):
        service.reconfirm_consent(session, stranger, consent.id)
    service.reconfirm_consent(session, parent, consent.id)
    assert consent.expires_at > first_expiry + timedelta(days=300)
    service.revoke_consent(session, parent, consent.id)
    assert consent.status is ConsentStatus.REVOKED and consent.revoked_at is not None


def test_a_provider_can_hold_only_one_live_consent_per_child(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent = create_parent(session)
    child = create_child(session, parent)
    create_consent(session, provider_user, parent, child)
    with pytest.raises(DomainError) as error:
        create_consent(session, provider_user, parent, child)
    assert error.value.code == "consent_exists"


def test_a_parent_can_not_consent_for_another_parents_child(session: Session) -> None:
    _, provider_user = create_provider(session)
    parent, other = create_parent(session), create_parent(session)
    their_child = create_child(session, other)
    opened = service.open_consent(session, parent, provider_id=provider_user.provider_id)
    with pytest.raises(NotFound):
        service.authorise_consent(session, parent, opened.id, their_child.id)


def test_a_child_past_the_age_limit_can_not_be_added(session: Session) -> None:
    parent = create_parent(session)
    with pytest.raises(ValidationFailed) as error:
        service.add_child(
            session,
            parent,
            first_name="Old",
            last_name="Enough",
            date_of_birth=today() - timedelta(days=17 * 366),
            disabled=True,
        )
    assert "1 September after a child turns 16" in error.value.errors[0].message
