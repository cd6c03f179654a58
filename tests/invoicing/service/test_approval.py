"""Approving, cancelling and handing over batches (``invoicing.service.approval``): four eyes,
frozen content."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import update
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session

from config.auth import SYSTEM, StaffRole
from config.errors import Forbidden, InvalidTransition, SelfApprovalForbidden, ValidationFailed
from invoicing import service
from invoicing.models import (
    BatchStatus,
    InvoiceStatus,
    Payment,
    PaymentAllocation,
    PaymentBatch,
)
from invoicing.service import BatchTampered
from tests.factories import World, create_staff


def test_the_builder_can_not_approve_their_own_batch(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    # Nobody holds both roles at once (issue #14): the builder is made an approver afterwards.
    builder = create_staff(session, StaffRole.FINANCE_OFFICER)
    batch = service.build_batch(session, builder)
    assert batch is not None
    service.request_batch_approval(session, builder, batch.id)
    both = replace(builder, roles=frozenset({StaffRole.APPROVER}))  # the same person, later
    with pytest.raises(SelfApprovalForbidden):
        service.approve_batch(session, both, batch.id)
    with pytest.raises(Forbidden):
        service.approve_batch(session, world.officer, batch.id)  # not an approver
    with pytest.raises(SelfApprovalForbidden):
        service.approve_batch(session, SYSTEM, batch.id)  # approval is a person's
    session.refresh(batch)
    assert batch.status is BatchStatus.AWAITING_APPROVAL and batch.approved_by_id is None


def test_the_database_refuses_a_batch_approved_by_its_builder(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = service.build_batch(session, world.officer)
    assert batch is not None
    with pytest.raises(IntegrityError):
        session.execute(
            update(PaymentBatch).where(PaymentBatch.id == batch.id).values(approved_by_id=world.officer.id)
        )
        session.commit()
    session.rollback()


def test_a_batch_can_not_be_approved_twice_or_before_it_is_sent_for_approval(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = service.build_batch(session, world.officer)
    assert batch is not None
    with pytest.raises(InvalidTransition):
        service.approve_batch(session, world.approver, batch.id)
    service.request_batch_approval(session, world.officer, batch.id)
    service.approve_batch(session, world.approver, batch.id)
    second_approver = create_staff(session, StaffRole.APPROVER)
    with pytest.raises(InvalidTransition):
        service.approve_batch(session, second_approver, batch.id)


def _another_account(session: Session, batch: PaymentBatch) -> None:
    session.execute(
        update(Payment).where(Payment.batch_id == batch.id).values(destination_account_number="12345678")
    )


def _paid_for_another_invoice(session: Session, batch: PaymentBatch) -> None:
    """Only the hash can tell: every amount and total still adds up."""
    other = World(session).submit()
    session.execute(
        update(PaymentAllocation)
        .where(PaymentAllocation.payment_id == batch.payments[0].id)
        .values(invoice_id=other.id)
    )


def _an_invoice_dropped(session: Session, batch: PaymentBatch) -> None:
    session.execute(
        update(PaymentAllocation)
        .where(PaymentAllocation.payment_id == batch.payments[0].id)
        .values(live=False)
    )


@pytest.mark.parametrize("tamper", [_another_account, _paid_for_another_invoice, _an_invoice_dropped])
def test_an_approved_batch_changed_afterwards_moves_no_money(session: Session, tamper) -> None:
    world = World(session)
    world.approved_invoice()
    batch = world.approved_batch()
    tamper(session, batch)
    session.commit()
    with pytest.raises(BatchTampered):
        service.submit_batch(session, world.officer, batch.id)
    session.refresh(batch)
    assert batch.status is BatchStatus.APPROVED


def test_cancelling_a_batch_before_submission_puts_its_invoices_back(session: Session) -> None:
    world = World(session)
    invoice = world.approved_invoice()
    batch = world.approved_batch()
    with pytest.raises(ValidationFailed):
        service.cancel_batch(session, world.officer, batch.id, "")
    service.cancel_batch(session, world.officer, batch.id, "Wrong payment date")
    session.refresh(invoice)
    assert batch.status is BatchStatus.CANCELLED
    assert invoice.status is InvoiceStatus.APPROVED
    assert service.build_batch(session, world.officer) is not None


def test_a_submitted_batch_can_not_be_cancelled(session: Session) -> None:
    world = World(session)
    world.approved_invoice()
    batch = world.approved_batch()
    service.submit_batch(session, world.officer, batch.id)
    with pytest.raises(InvalidTransition):
        service.cancel_batch(session, world.officer, batch.id, "too late")


def _large(session: Session, monkeypatch, **limits: int) -> tuple[World, PaymentBatch]:
    """A batch over the approval limits (the limits set low, not the money high)."""
    from dataclasses import replace

    from config import settings

    monkeypatch.setattr(settings, "_current", replace(settings.current(), **limits))
    world = World(session)
    world.approved_invoice()
    batch = service.build_batch(session, world.officer, for_approval=True)
    assert batch is not None
    return world, batch


@pytest.mark.parametrize(
    "limits",
    [{"batch_two_approvers_over_pence": 100}, {"payment_two_approvers_over_pence": 100}],
    ids=["batch total over the limit", "one payment over the limit"],
)
def test_a_batch_over_the_limits_is_not_approved_by_one_approver_alone(
    session: Session, monkeypatch, limits: dict[str, int]
) -> None:
    world, batch = _large(session, monkeypatch, **limits)
    assert batch.approvals_required == 2
    service.approve_batch(session, world.approver, batch.id)
    session.refresh(batch)
    assert batch.status is BatchStatus.AWAITING_APPROVAL  # one approval of two
    with pytest.raises(SelfApprovalForbidden, match="already approved"):
        service.approve_batch(session, world.approver, batch.id)
    second = create_staff(session, StaffRole.APPROVER)
    service.approve_batch(session, second, batch.id)
    session.refresh(batch)
    assert batch.status is BatchStatus.APPROVED
    assert {a.approver_id for a in batch.approvals} == {world.approver.id, second.id}


def test_the_database_refuses_approving_a_batch_with_fewer_approvals_than_it_needs(
    session: Session, monkeypatch
) -> None:
    world, batch = _large(session, monkeypatch, batch_two_approvers_over_pence=100)
    service.approve_batch(session, world.approver, batch.id)
    with pytest.raises(DatabaseError, match="as many different approvers"):
        session.execute(
            update(PaymentBatch).where(PaymentBatch.id == batch.id).values(status=BatchStatus.APPROVED)
        )
        session.commit()
    session.rollback()


def test_a_batch_changed_between_its_two_approvals_is_not_approved(session: Session, monkeypatch) -> None:
    world, batch = _large(session, monkeypatch, batch_two_approvers_over_pence=100)
    service.approve_batch(session, world.approver, batch.id)
    session.execute(
        update(PaymentAllocation)
        .where(PaymentAllocation.payment_id == batch.payments[0].id)
        .values(amount_pence=PaymentAllocation.amount_pence + 1)
    )
    session.commit()
    with pytest.raises(BatchTampered):
        service.approve_batch(session, create_staff(session, StaffRole.APPROVER), batch.id)
    session.refresh(batch)
    assert batch.status is BatchStatus.AWAITING_APPROVAL
