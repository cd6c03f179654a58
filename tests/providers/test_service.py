"""Provider use cases on a real database."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.auth import StaffRole
from config.errors import DomainError, Forbidden, InvalidTransition, ValidationFailed
from providers import payees, service
from providers.models import Payee, Provider, ProviderStatus, Regulator
from tests.factories import create_provider, create_staff

REGISTRATION = service.Registration(
    name="Acorn Nursery",
    regulator=Regulator.OFSTED,
    registration_number="ey 654321",
    postcode="ls1 4ap",
    address="1 Park Row, Leeds",
    region="Yorkshire and The Humber",
    bank=payees.BankDetails("08-99-99", "66374958", "Acorn Nursery Ltd"),
    admin_name="Nadia",
    admin_email="Nadia@Acorn.example",
)


def test_a_new_provider_is_pending_until_dwp_verifies_it(session: Session) -> None:
    provider = service.register_provider(session, REGISTRATION)
    assert (provider.status, provider.registration_number, provider.postcode) == (
        ProviderStatus.PENDING_VERIFICATION,
        "EY654321",
        "LS1 4AP",
    )
    assert provider.users[0].email == "nadia@acorn.example"
    assert provider.current_payee.sort_code == "089999"
    with pytest.raises(Forbidden):
        service.check_provider(session, create_staff(session, StaffRole.AUDITOR), provider.id)
    checker = create_staff(session, StaffRole.CASEWORKER)
    with pytest.raises(DomainError) as unchecked:
        service.verify_provider(session, checker, provider.id)
    assert unchecked.value.code == "not_checked"
    service.check_provider(session, checker, provider.id)
    with pytest.raises(Forbidden):  # a second person verifies
        service.verify_provider(session, checker, provider.id)
    assert provider.status is ProviderStatus.PENDING_VERIFICATION
    service.verify_provider(session, create_staff(session, StaffRole.CASEWORKER), provider.id)
    assert provider.status is ProviderStatus.ACTIVE
    with pytest.raises(InvalidTransition):
        service.verify_provider(session, create_staff(session, StaffRole.CASEWORKER), provider.id)


def test_a_setting_can_register_only_once(session: Session) -> None:
    service.register_provider(session, REGISTRATION)
    with pytest.raises(DomainError) as error:
        service.register_provider(session, replace(REGISTRATION, admin_email="other@acorn.example"))
    assert error.value.code == "already_registered"
    with pytest.raises(DomainError) as error:
        service.register_provider(session, replace(REGISTRATION, registration_number="EY111111"))
    assert error.value.code == "email_in_use"
    assert session.scalar(select(func.count()).select_from(Provider)) == 1


def test_bad_registration_details_name_every_bad_field_and_save_nothing(session: Session) -> None:
    bad = replace(REGISTRATION, registration_number="XX1", postcode="nowhere", name=" ", admin_email="nope")
    with pytest.raises(ValidationFailed) as error:
        service.register_provider(session, bad)
    assert {e.field for e in error.value.errors} == {"registration_number", "postcode", "name", "admin_email"}
    with pytest.raises(ValidationFailed) as error:
        service.register_provider(session, replace(REGISTRATION, bank=payees.BankDetails("1", "2", "")))
    assert {e.field for e in error.value.errors} == {
        "bank.sort_code",
        "bank.account_number",
        "bank.account_name",
    }
    assert session.scalar(select(func.count()).select_from(Provider)) == 0


def test_new_bank_details_keep_the_old_ones_and_need_releasing_by_dwp(session: Session) -> None:
    provider, user = create_provider(session)
    _, stranger = create_provider(session)
    new = payees.BankDetails("107999", "88837491", "New Name")
    with pytest.raises(Forbidden):
        payees.change_payee(session, stranger, provider.id, new)
    account = payees.change_payee(session, user, provider.id, new)
    assert account.hold_until is not None and account.released_at is None
    accounts = session.scalars(select(Payee).where(Payee.provider_id == provider.id)).all()
    assert sorted(a.is_current for a in accounts) == [False, True]
    releaser = create_staff(session, StaffRole.APPROVER)
    payees.release_payee(session, releaser, provider.id, account.id)
    assert account.released_by_id == releaser.id
    with pytest.raises(DomainError):
        payees.release_payee(session, releaser, provider.id, account.id)


def test_a_release_is_of_the_change_the_releaser_saw_never_one_made_since(session: Session) -> None:
    """A second officer looking at the nursery's change, while the first records another: their
    release must not release details they never saw."""
    provider, user = create_provider(session, verified=False)
    seen = payees.change_payee(session, user, provider.id, payees.BankDetails("107999", "88837491", "Ours"))
    mallory = payees.BankDetails("202959", "63748472", "Mallory Ltd")
    since = payees.change_payee(
        session, create_staff(session, StaffRole.FINANCE_OFFICER), provider.id, mallory, "rang"
    )
    with pytest.raises(DomainError) as refused:
        payees.release_payee(session, create_staff(session, StaffRole.APPROVER), provider.id, seen.id)
    assert refused.value.code == "payee_changed_since"
    session.expire_all()
    assert session.get_one(Payee, since.id).released_at is None


def test_an_api_client_secret_is_shown_once_and_stored_hashed(session: Session) -> None:
    _, admin = create_provider(session)
    client, secret = service.register_api_client(
        session, admin, name="Nursery Manager", redirect_uris=["https://nm.example/callback"]
    )
    assert secret not in client.client_secret_hash
    assert client.client_secret_hash == service.hash_client_secret(secret)
    with pytest.raises(ValidationFailed):
        service.register_api_client(session, admin, name="x", redirect_uris=["http://evil.example/cb"])
