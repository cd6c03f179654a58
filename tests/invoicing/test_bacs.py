"""Bacs Standard 18: the file's layout and control totals, working days, and the Bacs rail's life cycle."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from config.errors import Forbidden, ValidationFailed
from invoicing.models import BacsFile, BatchStatus, InvoiceStatus, Payment, PaymentBatch, PaymentStatus
from invoicing.rails import bacs
from invoicing.service import reconciliation, sending
from tests.factories import World

ORIGIN = bacs.Originator("123456", "200000", "12345678", "DWP CHILDCARE DIRECT")


def test_a_file_has_labels_one_credit_per_payment_a_contra_and_control_totals() -> None:
    credits = [
        bacs.Credit("089999", "66374958", "Little Acorns Ltd", 80_750, "CCD 1234ABCD"),
        bacs.Credit("107999", "88837491", "Sunny Days & Co.", 100, "CCD 99"),
    ]
    text = bacs.standard18(
        ORIGIN, credits, serial=7, created=date(2026, 12, 24), processing=date(2026, 12, 29)
    )
    lines = text.split("\r\n")[:-1]
    assert [line[:4] for line in lines[:4]] == ["VOL1", "HDR1", "HDR2", "UHL1"]
    assert [line[:4] for line in lines[-3:]] == ["EOF1", "EOF2", "UTL1"]
    assert all(len(line) == 80 for line in lines[:4] + lines[-3:])
    data = lines[4:-3]
    assert [len(line) for line in data] == [100, 100, 100]
    first, contra = data[0], data[-1]
    assert (first[0:6], first[6:14], first[14], first[15:17]) == ("089999", "66374958", "0", "99")
    assert (first[17:23], first[23:31], first[35:46]) == ("200000", "12345678", "00000080750")
    assert first[64:82].rstrip() == "CCD 1234ABCD" and first[82:100].rstrip() == "LITTLE ACORNS LTD"
    assert (contra[15:17], contra[35:46]) == ("17", "00000080850")  # debits DWP for the total
    assert lines[3][4:10] == " 26363"  # processing day, Julian: 29 December 2026
    assert "VOL1000007" in lines[0] and "123456" in lines[0]
    parsed = bacs.parse(text)
    assert (parsed.debit_total, parsed.credit_total, parsed.credit_count) == (80_850, 80_850, 2)
    assert [c.amount_pence for c in parsed.credits] == [80_750, 100]


def test_only_bacs_characters_reach_the_file() -> None:
    assert bacs.clean("Café Ltd (No. 1) £", 18) == "CAF  LTD  NO. 1   "
    with pytest.raises(ValueError):
        bacs.standard18(ORIGIN, [], serial=1, created=date(2026, 1, 5), processing=date(2026, 1, 7))
    with pytest.raises(ValueError):
        bacs.standard18(
            ORIGIN,
            [bacs.Credit("1", "2", "x", 0, "r")],
            serial=1,
            created=date(2026, 1, 5),
            processing=date(2026, 1, 7),
        )


@pytest.mark.parametrize(
    ("sent", "processing"),
    [
        (date(2026, 11, 23), date(2026, 11, 24)),  # Monday → Tuesday
        (date(2026, 11, 27), date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 12, 24), date(2026, 12, 29)),  # Christmas, Boxing Day moved to Monday 28th
        (date(2026, 4, 2), date(2026, 4, 7)),  # Good Friday 3 April, Easter Monday 6 April
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day
    ],
)
def test_the_processing_day_skips_weekends_and_england_and_wales_bank_holidays(
    sent: date, processing: date
) -> None:
    assert bacs.processing_day(sent) == processing
    assert bacs.is_bacs_day(bacs.entry_day(processing))


def bacs_batch(session) -> tuple[World, PaymentBatch]:
    world = World(session)  # no Stripe account: paid by Bacs
    world.approved_invoice()
    return world, world.approved_batch()


def test_the_approver_gets_one_file_for_a_batch_however_often_they_ask(session) -> None:
    world, batch = bacs_batch(session)
    with pytest.raises(Forbidden):
        sending.bacs_file(session, world.officer, batch.id)  # approvers send the file
    first = sending.bacs_file(session, world.approver, batch.id)
    again = sending.bacs_file(session, world.approver, batch.id)
    assert (first.id, first.content) == (again.id, again.content)
    assert session.scalars(select(BacsFile)).all() == [first]
    session.expire_all()
    payment = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    assert payment.status is PaymentStatus.SENT and payment.rail_reference.startswith("BACS ")
    assert session.get_one(PaymentBatch, batch.id).status is BatchStatus.SUBMITTED
    parsed = bacs.parse(first.content)
    assert [(c.sort_code, c.account_number, c.amount_pence) for c in parsed.credits] == [
        ("089999", "66374958", payment.amount_pence)
    ]


def test_a_file_is_kept_only_with_its_payments_recorded_sent(session, monkeypatch) -> None:
    """Fault injected inside the file's transaction: the file and the payments go together or not
    at all, so a file never exists for payments still waiting to be sent."""
    world, batch = bacs_batch(session)

    def crash(*_args: object) -> None:
        raise RuntimeError("the process died while recording the payments")

    monkeypatch.setattr(sending, "mark_payment_sent", crash)
    with pytest.raises(RuntimeError):
        sending.bacs_file(session, world.approver, batch.id)
    assert session.scalars(select(BacsFile)).all() == []
    assert session.scalars(select(Payment.status).where(Payment.batch_id == batch.id)).all() == [
        PaymentStatus.CREATED
    ]

    monkeypatch.undo()
    made = sending.bacs_file(session, world.approver, batch.id)  # asked again: made, and sent
    session.expire_all()
    assert session.scalars(select(BacsFile)).all() == [made]
    assert session.scalars(select(Payment.status).where(Payment.batch_id == batch.id)).all() == [
        PaymentStatus.SENT
    ]


def test_a_bacs_credit_is_paid_after_its_entry_day_unless_the_bank_returns_it(session) -> None:
    world, batch = bacs_batch(session)
    made = sending.bacs_file(session, world.approver, batch.id)
    entry = bacs.entry_day(made.processing_day)
    assert reconciliation.reconcile_bacs(session, today=entry) == 0  # not yet
    assert reconciliation.reconcile_bacs(session, today=entry + timedelta(days=1)) == 1
    session.expire_all()
    payment = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    assert payment.status is PaymentStatus.PAID

    header = "reference,amount_pence,reason\n"
    bad = f"{header}{payment.reference},{payment.amount_pence + 1},closed\nCCD NOPE,1,x\n"
    with pytest.raises(ValidationFailed) as error:
        reconciliation.import_bacs_returns(session, world.officer, bad)
    assert [e.field for e in error.value.errors] == ["line 1", "line 2"]
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID  # nothing changed

    good = f"reference,amount_pence,reason\n{payment.reference},{payment.amount_pence},account closed\n"
    assert reconciliation.import_bacs_returns(session, world.officer, good) == {"returned": 1}
    assert reconciliation.import_bacs_returns(session, world.officer, good) == {"returned": 0}  # once only
    session.expire_all()
    payment = session.get_one(Payment, payment.id)
    assert payment.status is PaymentStatus.RETURNED and "account closed" in payment.failure_reason
    assert {a.invoice.status for a in payment.allocations} == {InvoiceStatus.PAYMENT_FAILED}
