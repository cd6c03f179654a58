"""One way to change who a provider is paid to (``providers.payees``), and no one person alone.

Each test is a path one person could once take alone to redirect money: an officer changing the
Stripe account and the next batch paying it; an officer releasing their own change; a batch
built before a change still paying the old details after it.
"""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from config.audit import events_for
from config.auth import SYSTEM, StaffRole
from config.database import utcnow
from config.errors import Forbidden, ValidationFailed
from config.notify import Notification
from invoicing import service
from invoicing.models import BatchStatus, Payment, PaymentBatch, Rail
from invoicing.service.approval import PayeeChanged
from providers import payees
from providers import service as providers
from providers.models import Payee, PayeeRail
from tests.factories import (
    World,
    create_child,
    create_consent,
    create_parent,
    create_provider,
    create_staff,
    invoice_input,
)

ROOT = Path(__file__).resolve().parents[2]


def _raw(session: Session, statement: str, payee_id: object) -> None:
    """SQL as someone with the database could run it, on one payee."""
    session.execute(text(statement).bindparams(bindparam("id", type_=Uuid())), {"id": payee_id})
    session.commit()


def _cooled_off(session: Session, payee: Payee) -> None:
    """The cooling-off period over (as if 30 days had passed)."""
    _raw(session, "UPDATE payees SET hold_until = created_at WHERE id = :id", payee.id)
    session.expire_all()


def test_an_officer_alone_cannot_redirect_the_next_batch_to_a_new_stripe_account(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    officer = world.officer
    with pytest.raises(ValidationFailed):  # an officer says why
        payees.change_payee(session, officer, world.provider.id, payees.StripeAccount("acct_1Thief"))
    payee = payees.change_payee(
        session, officer, world.provider.id, payees.StripeAccount("acct_1Thief"), "Nursery rang to switch"
    )
    assert payee.hold_until is not None

    # Held: the next batch leaves the provider out, and the nursery's admins have been told.
    assert service.build_batch(session, officer) is None
    emails = session.scalars(select(Notification).where(Notification.template == "payee_changed")).all()
    assert [e.email for e in emails] == [world.provider.users[0].email]
    assert "Stripe acct_1Thief" in emails[0].personalisation["destination"]

    # The one who recorded it cannot release it; not in the service, not in the data.
    with pytest.raises(Forbidden):
        payees.release_payee(session, officer, world.provider.id, payee.id)
    with pytest.raises(IntegrityError, match="released_by_someone_else"):
        _raw(session, "UPDATE payees SET released_by_id = requested_by_id WHERE id = :id", payee.id)
    session.rollback()

    # Released by someone else and cooled off: only then is it paid.
    payees.release_payee(session, world.approver, world.provider.id, payee.id)
    _cooled_off(session, payee)
    batch = service.build_batch(session, officer)
    assert batch is not None and [(p.rail, p.destination_stripe_account) for p in batch.payments] == [
        (Rail.STRIPE, "acct_1Thief")
    ]


def test_the_audit_event_keeps_old_and_new_details_masked(session: Session) -> None:
    world = World(session)
    payees.change_payee(
        session, world.provider_user, world.provider.id, payees.BankDetails("107999", "88837491", "New Name")
    )
    (event,) = [
        e for e in events_for(session, "providers", world.provider.id) if e.action == "provider.payee_changed"
    ]
    assert event.data["from"] == {
        "rail": "bacs",
        "sort_code": "089999",
        "account_ending": "4958",
        "account_name": world.provider.name,
    }
    assert event.data["to"]["account_ending"] == "7491" and "88837491" not in str(event.data)
    assert event.actor_label == world.provider.users[0].name


def test_a_colleague_who_is_not_an_admin_cannot_change_where_the_nursery_is_paid(session: Session) -> None:
    from tests.factories import create_provider_user

    world = World(session)
    colleague = create_provider_user(session, world.provider, world.provider_user)
    with pytest.raises(Forbidden):
        payees.change_payee(
            session, colleague, world.provider.id, payees.BankDetails("107999", "88837491", "Mine now")
        )


@pytest.mark.parametrize(
    "destination, field",
    [
        (
            payees.BankDetails("089999", "66374959", "Little Acorns"),
            "account_number",
        ),  # fails the modulus check
        (payees.BankDetails("089999", "66374958", "   "), "account_name"),
        (payees.BankDetails("089999", "66374958", "雅子"), "account_name"),  # nothing a Bacs file can carry
        # Digits to Unicode but not to a bank: a Bacs record is 100 ASCII bytes.
        (payees.BankDetails("１０７９９９", "88837491", "Little Acorns"), "sort_code"),
        (payees.BankDetails("107999", "٨٨٨٣٧٤٩١", "Little Acorns"), "account_number"),
        (payees.StripeAccount("acct_'; DROP TABLE payees;--"), "stripe_account"),
        (payees.StripeAccount("ba_123"), "stripe_account"),
    ],
)
def test_details_that_do_not_check_out_are_refused_and_change_nothing(
    session: Session, destination, field: str
) -> None:
    world = World(session)
    officer = world.officer
    with pytest.raises(ValidationFailed) as refused:
        payees.change_payee(session, officer, world.provider.id, destination, "a reason")
    assert field in {error.field for error in refused.value.errors}
    assert [p.rail for p in session.scalars(select(Payee).where(Payee.provider_id == world.provider.id))] == [
        PayeeRail.BACS
    ]


def test_a_batch_built_before_a_payee_change_cannot_be_approved_or_sent(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = service.build_batch(session, world.officer, for_approval=True)
    assert batch is not None
    change = payees.change_payee(
        session, world.provider_user, world.provider.id, payees.BankDetails("107999", "88837491", "New Name")
    )
    payees.release_payee(session, world.approver, world.provider.id, change.id)
    _cooled_off(session, change)
    with pytest.raises(PayeeChanged) as refused:
        service.approve_batch(session, world.approver, batch.id)
    assert world.provider.name in refused.value.detail and "build it again" in refused.value.detail
    session.expire_all()
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.AWAITING_APPROVAL


def test_a_change_after_approval_stops_the_batch_and_nothing_is_sent(session: Session) -> None:
    from invoicing.service import sending

    world = World(session)
    world.approved_invoice()
    batch = world.approved_batch()
    payees.change_payee(
        session, world.officer, world.provider.id, payees.BankDetails("107999", "88837491", "New"), "asked"
    )
    with pytest.raises(PayeeChanged):
        sending.make_bacs_file(session, world.approver, batch.id)
    session.expire_all()
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.STOPPED
    assert {p.status.value for p in session.scalars(select(Payment))} == {"created"}


def test_a_payees_destination_can_never_be_changed_or_deleted_in_the_database(session: Session) -> None:
    world = World(session)
    payee_id = world.provider.current_payee.id
    for statement in (
        "UPDATE payees SET account_number = '88837491' WHERE id = :id",
        "UPDATE payees SET stripe_account_id = 'acct_x', rail = 'stripe' WHERE id = :id",
        "DELETE FROM payees WHERE id = :id",
    ):
        with pytest.raises(DatabaseError, match="never changes"):
            _raw(session, statement, payee_id)
        session.rollback()
    _raw(session, "UPDATE payees SET is_current = is_current WHERE id = :id", payee_id)  # the rest may change


def test_a_change_while_dwp_verifies_a_provider_is_not_paid_until_someone_else_releases_it(
    session: Session,
) -> None:
    """Once, a change before verification needed nobody else: one person checked the old details, and
    the officer who recorded new ones verified the provider, so one person alone chose the payee."""
    provider, admin = create_provider(session, verified=False)
    checker = create_staff(session, StaffRole.CASEWORKER)
    officer = create_staff(session, StaffRole.FINANCE_OFFICER)
    providers.check_provider(session, checker, provider.id)
    new = payees.BankDetails("107999", "88837491", "Mallory Ltd")
    changed = payees.change_payee(session, officer, provider.id, new, "Nursery rang with new details")
    providers.verify_provider(session, officer, provider.id)  # another person checked the registration
    assert changed.hold_until is not None and changed.released_at is None
    world = World(session)  # a second, ordinary provider, so the batch is not empty
    world.approved_invoice()
    parent = create_parent(session)
    consent = create_consent(session, admin, parent, create_child(session, parent))
    invoice = service.submit_invoice(session, admin, invoice_input(consent))
    service.confirm_invoice(session, parent, invoice.id)
    service.run_automatic_checks(session, SYSTEM)
    batch = service.build_batch(session, world.officer)
    assert batch is not None and {p.provider_id for p in batch.payments} == {world.provider.id}
    with pytest.raises(Forbidden):
        payees.release_payee(session, officer, provider.id, changed.id)  # not by the one who recorded it
    payees.release_payee(session, world.approver, provider.id, changed.id)
    again = service.build_batch(session, world.officer)
    assert again is not None and {p.provider_id for p in again.payments} == {provider.id}
    assert {(p.destination_sort_code, p.destination_account_number) for p in again.payments} == {
        ("107999", "88837491")
    }


def test_the_database_refuses_a_payee_change_without_a_hold(session: Session) -> None:
    world = World(session)
    statement = text(
        "INSERT INTO payees (id, provider_id, rail, sort_code, account_number, account_name, is_current, "
        "requested_by_kind, requested_by_label, created_at, updated_at) VALUES (:id, :provider, 'bacs', "
        "'107999', '88837491', 'Mallory', :current, 'staff', 'someone', :now, :now)"
    ).bindparams(bindparam("id", type_=Uuid()), bindparam("provider", type_=Uuid()))
    with pytest.raises(DatabaseError, match="every_change_is_held"):
        session.execute(
            statement, {"id": uuid.uuid4(), "provider": world.provider.id, "current": False, "now": utcnow()}
        )
        session.commit()
    session.rollback()


def test_nothing_but_the_payees_module_writes_a_payee_or_a_payments_destination() -> None:
    """A structure test: ``Payee(`` is made, and payee or destination columns are assigned, only in
    providers/payees.py (payees) and invoicing/service/batches.py (a payment's snapshot)."""
    allowed = {"providers/payees.py", "invoicing/service/batches.py"}
    columns = {
        "sort_code",
        "account_number",
        "account_name",
        "stripe_account_id",
        "destination_sort_code",
        "destination_account_number",
        "destination_account_name",
        "destination_stripe_account",
        "payee_id",
    }
    offenders = []
    for package in ("config", "staff", "providers", "claimants", "invoicing"):
        for path in sorted((ROOT / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            if where in allowed:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Payee":
                    offenders.append(f"{where}:{node.lineno} makes a Payee")
                targets = node.targets if isinstance(node, ast.Assign) else []
                for target in targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Attribute) and leaf.attr in columns:
                            offenders.append(f"{where}:{node.lineno} sets {leaf.attr}")
    assert offenders == []
