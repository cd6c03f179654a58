"""Reconciling Bacs credits (``invoicing.service.reconciliation``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.auth import StaffRole
from config.errors import DomainError, Forbidden, ValidationFailed
from config.notify import Notification
from invoicing import queries
from invoicing import service as invoicing
from invoicing.models import (
    BacsFile,
    BacsReturnsImport,
    InvoiceStatus,
    Payment,
    PaymentBatch,
    PaymentStatus,
    ReturnsImportStatus,
)
from invoicing.rails import bacs
from invoicing.service import bacs_returns, reconciliation
from tests.factories import World, create_staff, send_by_bacs


def bacs_batch(session) -> tuple[World, PaymentBatch]:
    world = World(session)  # no Stripe account: paid by Bacs
    world.approved_invoice()
    return world, world.approved_batch()


def test_a_bacs_credit_is_paid_after_its_entry_day_unless_the_bank_returns_it(session) -> None:
    world, batch = bacs_batch(session)
    made = send_by_bacs(session, world.approver, batch.id)
    entry = bacs.entry_day(made.processing_day)
    assert reconciliation.reconcile_bacs(session, today=entry) == 0  # not yet
    assert reconciliation.reconcile_bacs(session, today=entry + timedelta(days=1)) == 1
    session.expire_all()
    payment = session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()
    assert payment.status is PaymentStatus.PAID


HEADER = "reference,amount_pence,sort_code,account_number,reason\n"


def returns_line(payment: Payment, **changes: object) -> str:
    cells = {
        "reference": payment.reference,
        "amount_pence": payment.amount_pence,
        "sort_code": payment.destination_sort_code,
        "account_number": payment.destination_account_number,
        "reason": "account closed",
    } | changes
    return ",".join(str(value) for value in cells.values()) + "\n"


def paid_bacs_payment(session, monkeypatch) -> tuple[World, Payment]:
    """A Bacs payment taken as paid, on the day after its entry day (which is "today" here)."""
    world, batch = bacs_batch(session)
    made = send_by_bacs(session, world.approver, batch.id)
    day_after = bacs.entry_day(made.processing_day) + timedelta(days=1)
    reconciliation.reconcile_bacs(session, today=day_after)
    monkeypatch.setattr(bacs_returns, "today_in_london", lambda: day_after)
    session.expire_all()
    return world, session.scalars(select(Payment).where(Payment.batch_id == batch.id)).one()


def test_a_returns_line_must_match_what_was_sent_or_the_whole_file_is_refused(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    bad = (
        HEADER
        + returns_line(payment, amount_pence=payment.amount_pence + 1)
        + returns_line(payment, account_number="99999999")
        + returns_line(payment, sort_code="000000")
        + "CCD NOPE,1,000000,12345678,x\n"
        + "too,few\n"
    )
    with pytest.raises(ValidationFailed) as error:
        bacs_returns.import_bacs_returns(session, world.officer, bad)
    problems = {e.field: e.message for e in error.value.errors}
    assert list(problems) == ["line 1", "line 2", "line 3", "line 4", "line 5"]
    assert "not the amount sent" in problems["line 1"]
    assert "not the one it was sent to" in problems["line 2"] and "not the one" in problems["line 3"]
    assert "No Bacs payment" in problems["line 4"] and "Each line needs" in problems["line 5"]
    with pytest.raises(ValidationFailed):
        bacs_returns.import_bacs_returns(session, world.officer, HEADER)  # nothing in it
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID  # nothing changed
    assert session.scalars(select(BacsReturnsImport)).all() == []


def test_a_return_outside_the_returns_window_is_refused(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    processing = session.scalars(select(BacsFile.processing_day)).one()
    last = bacs.entry_day(processing) + timedelta(days=60)
    monkeypatch.setattr(bacs_returns, "today_in_london", lambda: last + timedelta(days=1))
    with pytest.raises(ValidationFailed) as error:
        bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    assert "outside the returns window" in error.value.errors[0].message
    monkeypatch.setattr(bacs_returns, "today_in_london", lambda: processing - timedelta(days=1))
    with pytest.raises(ValidationFailed) as early:  # the bank cannot return what it has not processed
        bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    assert "has not been processed yet" in early.value.errors[0].message
    monkeypatch.setattr(bacs_returns, "today_in_london", lambda: last)  # the last day it may come
    bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))


def test_a_matched_returns_file_changes_nothing_until_a_second_officer_confirms_it(
    session, monkeypatch
) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    pending = bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID  # not yet
    with pytest.raises(ValidationFailed) as again:  # the same line cannot wait twice
        bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    assert "already in a returns file" in again.value.errors[0].message

    with pytest.raises(Forbidden):  # the importer cannot confirm their own file
        bacs_returns.confirm_returns_import(session, world.officer, pending.id)
    with pytest.raises(Forbidden):  # only finance officers
        bacs_returns.confirm_returns_import(session, world.approver, pending.id)
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID

    second = create_staff(session, StaffRole.FINANCE_OFFICER)
    bacs_returns.confirm_returns_import(session, second, pending.id)
    session.expire_all()
    payment = session.get_one(Payment, payment.id)
    assert payment.status is PaymentStatus.RETURNED
    assert payment.failure_reason == "Returned by the bank: the account is closed"
    assert {a.invoice.status for a in payment.allocations} == {InvoiceStatus.PAYMENT_FAILED}
    assert session.get_one(BacsReturnsImport, pending.id).status is ReturnsImportStatus.CONFIRMED
    with pytest.raises(DomainError):  # decided once
        bacs_returns.confirm_returns_import(session, second, pending.id)
    with pytest.raises(ValidationFailed):  # and the payment cannot be returned twice
        bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))


def test_a_returns_file_no_bank_would_send_is_refused_in_words(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    amount = str(payment.amount_pence)
    superscript = amount.translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
    arabic_indic = amount.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for hostile in (
        HEADER + returns_line(payment, reason="closed\x00"),  # a NUL byte
        HEADER + returns_line(payment, reason="x" * 140_000),  # past the csv module's field limit
        HEADER + returns_line(payment, reason='"unclosed'),
        HEADER + returns_line(payment, reason="y" * 201),
        HEADER + returns_line(payment, amount_pence=superscript),  # digits to isdigit(), not to int()
        HEADER + returns_line(payment, amount_pence=arabic_indic),
    ):
        with pytest.raises(ValidationFailed):
            bacs_returns.import_bacs_returns(session, world.officer, hostile)
    with pytest.raises(ValidationFailed) as extra:  # a sixth column is not quietly dropped
        bacs_returns.import_bacs_returns(
            session, world.officer, HEADER + returns_line(payment, reason="x,more")
        )
    assert "nothing more" in extra.value.errors[0].message
    with pytest.raises(ValidationFailed) as huge:  # refused before a query is made for each line
        bacs_returns.import_bacs_returns(session, world.officer, HEADER + "CCD X,1,000000,1,x\n" * 2_001)
    assert "at most 2,000 lines" in huge.value.errors[0].message
    with pytest.raises(ValidationFailed) as many:  # 300 bad lines: 25 listed, then a count
        bacs_returns.import_bacs_returns(session, world.officer, HEADER + "CCD X,1,000000,1,x\n" * 300)
    assert (
        len(many.value.errors) == 26 and many.value.errors[-1].message == "And 275 more lines with problems"
    )
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID
    assert session.scalars(select(BacsReturnsImport)).all() == []


def test_what_an_officer_writes_in_the_reason_column_never_reaches_the_nursery(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    written = '=HYPERLINK("http://evil.example/";"INTERNAL fraud suspected")'
    pending = bacs_returns.import_bacs_returns(
        session,
        world.officer,
        HEADER + returns_line(payment, reason=f'"{written.replace(chr(34), chr(34) * 2)}"'),
    )
    assert pending.lines[0]["reason"] == written  # DWP keeps what the file said
    bacs_returns.confirm_returns_import(session, create_staff(session, StaffRole.FINANCE_OFFICER), pending.id)
    session.expire_all()
    assert session.get_one(Payment, payment.id).failure_reason == "Returned by the bank"
    sent = " ".join(str(n.personalisation) for n in session.scalars(select(Notification)))
    assert "INTERNAL" not in sent and "evil.example" not in sent


def test_the_database_refuses_a_returns_file_decided_by_its_importer(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    pending = bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    item = session.get_one(BacsReturnsImport, pending.id)
    item.status, item.decided_by_id = ReturnsImportStatus.CONFIRMED, item.imported_by_id
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_a_rejected_returns_file_returns_nothing(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    pending = bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    bacs_returns.reject_returns_import(session, world.officer, pending.id)
    session.expire_all()
    assert session.get_one(Payment, payment.id).status is PaymentStatus.PAID
    # the line is free to be imported again, rightly this time
    bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))


def test_a_returned_invoice_goes_into_the_next_batch_marked_as_paid_before(session, monkeypatch) -> None:
    world, payment = paid_bacs_payment(session, monkeypatch)
    pending = bacs_returns.import_bacs_returns(session, world.officer, HEADER + returns_line(payment))
    bacs_returns.confirm_returns_import(session, create_staff(session, StaffRole.FINANCE_OFFICER), pending.id)
    again = invoicing.build_batch(session, world.officer)
    assert again is not None
    review = queries.batch_review(session, again)
    numbers = [number for line in review.lines for number, _when in line.returned_before]
    returned = session.get_one(Payment, payment.id)
    assert numbers == [a.invoice.invoice_number for a in returned.allocations] != []
