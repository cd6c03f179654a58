"""The bank's returns of Bacs credits: matched line by line, confirmed by a second person.

A returns file names credits the bank could not make (an account closed, say). Each line must
match a payment we actually sent in a Bacs file submitted to the bank: its reference, its amount,
the sort code and account it went to, and a return within the returns window after its entry day.
A line that does not match refuses the whole file (with its line number and why) and changes
nothing. A matched file waits as pending until a second finance officer confirms it; only then
are its payments returned and their invoices payable again.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from config import audit, settings
from config.auth import Actor, StaffRole
from config.database import transaction, utcnow
from config.errors import FieldError, Forbidden, ValidationFailed, rule
from invoicing import repository
from invoicing.labels import BANK_REASONS, RETURNED_BY_BANK
from invoicing.models import BacsReturnsImport, Payment, PaymentStatus, ReturnsImportStatus
from invoicing.rails import bacs
from invoicing.service.common import today_in_london
from invoicing.service.payment_outcomes import fail_payment

COLUMNS = "reference, amount in pence, sort code, account number and reason"
LONGEST_CELL = 200  # characters: a reference, an amount, an account or a bank's reason
MOST_LINES = 2_000  # a day's returns for this service are a handful; more is not a returns file
ERRORS_SHOWN = 25  # lines' problems listed (then a count of the rest)


def public_reason(reason: str) -> str:
    return BANK_REASONS.get(" ".join(reason.lower().split()), RETURNED_BY_BANK)


def _why_not(
    payment: Payment, processing: date, cells: list[str], today: date, taken: set[str]
) -> str | None:
    """Why a returns line does not match the payment its reference names, or ``None`` if it does."""
    reference, amount, sort_code, account_number, _reason = cells
    window = timedelta(days=settings.current().bacs_returns_window_days)
    if not re.fullmatch(r"[0-9]{1,12}", amount) or int(amount) != payment.amount_pence:
        return f"The amount for {reference} is not the amount sent"
    sent_to = (payment.destination_sort_code, payment.destination_account_number)
    if (sort_code.replace("-", ""), account_number) != sent_to:
        return f"The account for {reference} is not the one it was sent to"
    if payment.status not in (PaymentStatus.SENT, PaymentStatus.PAID):
        return f"{reference} is already {payment.status.value.replace('_', ' ')}"
    if today < processing:
        return f"{reference} has not been processed yet: its file's processing day is {processing:%-d %B %Y}"
    if today > bacs.entry_day(processing) + window:
        return (
            f"A return of {reference} is outside the returns window "
            f"({window.days} days after {bacs.entry_day(processing):%-d %B %Y})"
        )
    if reference in taken:
        return f"{reference} is already in a returns file waiting for confirmation"
    return None


def import_bacs_returns(
    session: Session, actor: Actor, text: str, filename: str = "returns.csv"
) -> BacsReturnsImport:
    """Match a returns file and keep it, pending a second person's confirmation: nothing is
    returned yet. ``ValidationFailed`` names each line that does not match a sent Bacs payment
    (and nothing is kept)."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    rows = _rows(text)
    if rows and rows[0] and rows[0][0].strip().lower() == "reference":
        rows = rows[1:]
    if len(rows) > MOST_LINES:
        message = f"A returns file can have at most {MOST_LINES:,} lines: split it into smaller files"
        raise ValidationFailed(message, errors=[FieldError("file", message)])
    today = today_in_london()
    taken = {
        str(line["reference"]) for item in repository.pending_returns_imports(session) for line in item.lines
    }
    errors: list[FieldError] = []
    lines: list[dict[str, object]] = []
    for number, row in enumerate(rows, start=1):
        extra = [cell for cell in row[5:] if cell.strip()]
        cells = [cell.strip() for cell in row[:5]]
        too_long = any(len(cell) > LONGEST_CELL for cell in cells)
        readable = len(cells) == 5 and not too_long and not extra
        sent = repository.sent_by_bacs(session, cells[0]) if readable else None
        if len(cells) < 5 or extra:
            problem: str | None = f"Each line needs a {COLUMNS}, and nothing more"
        elif too_long:
            problem = f"Each value must be {LONGEST_CELL} characters or fewer"
        elif sent is None:
            problem = f"No Bacs payment sent to the bank has the reference {cells[0]}"
        else:
            problem = _why_not(*sent, cells, today, taken)
        if problem is not None or sent is None:
            errors.append(FieldError(f"line {number}", f"Line {number}: {problem}"))
            continue
        taken.add(cells[0])
        payment = sent[0]
        reason = cells[4] or "returned by the bank"
        lines.append(
            {
                "line": number,
                "payment_id": str(payment.id),
                "reference": cells[0],
                "amount_pence": payment.amount_pence,
                "reason": reason,
            }
        )
    session.rollback()  # only read so far
    if not rows:
        errors.append(FieldError("file", "The file has no returns in it"))
    if len(errors) > ERRORS_SHOWN:
        more = len(errors) - ERRORS_SHOWN
        errors = [*errors[:ERRORS_SHOWN], FieldError("file", f"And {more:,} more lines with problems")]
    if errors:
        raise ValidationFailed("The returns file has problems: nothing was changed", errors=errors)
    with transaction(session):
        item = BacsReturnsImport(
            id=uuid.uuid4(),
            imported_by_id=actor.staff_id,
            imported_at=utcnow(),
            filename=filename[:200],
            lines=lines,
        )
        session.add(item)
        audit.record(session, "returns.imported", item, actor, {"lines": len(lines), "filename": filename})
    return item


def _rows(text: str) -> list[list[str]]:
    """The file's lines as cells; ``ValidationFailed`` for a file no bank would send."""
    if "\x00" in text:
        raise ValidationFailed(
            "The file is not a returns file", errors=[FieldError("file", "The file must be a CSV file")]
        )
    try:
        return list(csv.reader(io.StringIO(text.strip()), strict=True))
    except csv.Error:  # a value longer than the csv module reads, a stray NUL or quote
        raise ValidationFailed(
            "The file is not a returns file",
            errors=[FieldError("file", "The file must be a CSV file with one return on each line")],
        ) from None


def confirm_returns_import(session: Session, actor: Actor, import_id: uuid.UUID) -> BacsReturnsImport:
    """A second finance officer confirms a pending import: its payments are returned (or failed, if
    not yet taken as paid) and their invoices go into the next batch, all in one transaction."""
    actor.require_role(StaffRole.FINANCE_OFFICER)

    def same_person() -> Forbidden:
        return Forbidden("Someone other than the person who imported the file must confirm it")

    with transaction(session, {"confirmed_by_someone_else": same_person}):
        item = repository.get_returns_import(session, import_id, for_update=True)
        _still_pending(item)
        if item.imported_by_id == actor.staff_id:
            raise same_person()
        for line in item.lines:
            payment = repository.get_payment(session, uuid.UUID(str(line["payment_id"])), for_update=True)
            if payment.status not in (PaymentStatus.SENT, PaymentStatus.PAID):
                raise rule(
                    "returns_import_stale",
                    "The payments changed",
                    f"{payment.reference} is no longer sent or paid: reject this import and import again",
                )
            fail_payment(session, actor, payment, public_reason(str(line["reason"])))
        _decide(item, actor, ReturnsImportStatus.CONFIRMED)
        audit.record(session, "returns.confirmed", item, actor, {"lines": len(item.lines)})
    return item


def reject_returns_import(session: Session, actor: Actor, import_id: uuid.UUID) -> BacsReturnsImport:
    """A pending import set aside: nothing is returned."""
    actor.require_role(StaffRole.FINANCE_OFFICER)
    with transaction(session):
        item = repository.get_returns_import(session, import_id, for_update=True)
        _still_pending(item)
        _decide(item, actor, ReturnsImportStatus.REJECTED)
        audit.record(session, "returns.rejected", item, actor)
    return item


def _still_pending(item: BacsReturnsImport) -> None:
    if item.status is not ReturnsImportStatus.PENDING:
        raise rule("returns_import_decided", "Already decided", "This returns file has already been decided")


def _decide(item: BacsReturnsImport, actor: Actor, status: ReturnsImportStatus) -> None:
    item.status, item.decided_by_id, item.decided_at = status, actor.staff_id, utcnow()
