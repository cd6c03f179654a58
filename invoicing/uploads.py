"""Invoices from a spreadsheet (CSV): a dry run that names every bad row, then submission in chunks.

One row is one line of an invoice; rows with the same invoice number make one invoice. The dry
run checks everything it can without saving an invoice (columns, dates, amounts, the child's
consent, the invoice's shape) and reports each problem by row number and column in GOV.UK
wording. Submission is all or nothing unless the person explicitly chooses to send only the good
invoices. Each invoice is submitted through ``service.submit_invoice`` like any other, so every
rule and audit event applies; an invoice number already used is skipped, never duplicated, which
makes a re-upload or a resumed submission safe.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimants.models import Child, Consent, ConsentStatus
from config import audit
from config.auth import Actor, ActorKind
from config.database import transaction, utcnow
from config.errors import DomainError, DuplicateInvoiceNumber, FieldError, NotFound, ValidationFailed, rule
from config.money import MoneyFormatError, parse_pounds
from invoicing import service
from invoicing.models import Invoice, InvoiceUpload, UploadStatus

COLUMNS = (
    "invoice_number",
    "child_first_name",
    "child_last_name",
    "child_date_of_birth",
    "issued_on",
    "care_from",
    "care_to",
    "description",
    "hours",
    "amount",
    "eligible",
)
TEMPLATE_EXAMPLE = (
    "INV-1001",
    "Ada",
    "Lovelace",
    "04/05/2023",
    "01/11/2026",
    "01/10/2026",
    "31/10/2026",
    "Full days",
    "120",
    "950.00",
    "yes",
)
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
CHUNK = 50
STALE_AFTER = timedelta(minutes=5)


@dataclass
class _Problem:
    row: int
    column: str
    message: str


def _date(text: str) -> date:
    text = text.strip()
    for parse in (
        lambda t: datetime.strptime(t, "%d/%m/%Y").date(),  # noqa: DTZ007 - a calendar date
        date.fromisoformat,
    ):
        try:
            return parse(text)
        except ValueError:
            continue
    raise ValueError("must be a real date, like 31/10/2026")


COLUMN_NAMES = {
    "invoice_number": "Invoice number",
    "child_first_name": "Child’s first name",
    "child_last_name": "Child’s last name",
    "child_date_of_birth": "Child’s date of birth",
    "issued_on": "Invoice date",
    "care_from": "Care from",
    "care_to": "Care to",
    "description": "Description",
    "hours": "Hours",
    "amount": "Amount",
    "eligible": "Eligible",
}


def _live_consents(session: Session, provider_id: uuid.UUID) -> dict[tuple[str, str, date], uuid.UUID]:
    """The provider's live consents by child (first name, last name, date of birth), in one query."""
    now = utcnow()
    rows = session.execute(
        select(Consent.id, Child.first_name, Child.last_name, Child.date_of_birth)
        .join(Child, Child.id == Consent.child_id)
        .where(
            Consent.provider_id == provider_id,
            Consent.status == ConsentStatus.AUTHORISED,
            Consent.expires_at > now,
        )
    )
    return {(first.strip().lower(), last.strip().lower(), dob): cid for cid, first, last, dob in rows}


def _used_numbers(session: Session, provider_id: uuid.UUID, numbers: set[str]) -> set[str]:
    used: set[str] = set()
    ordered = sorted(numbers)
    for start in range(0, len(ordered), 500):
        used.update(
            session.scalars(
                select(Invoice.invoice_number).where(
                    Invoice.provider_id == provider_id,
                    Invoice.invoice_number.in_(ordered[start : start + 500]),
                )
            )
        )
    return used


def read_rows(content: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts of its columns; ``ValidationFailed`` if it is not a usable CSV."""
    if len(content) > MAX_BYTES:
        raise _file_problem("The file must be smaller than 5MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_problem("The file must be a CSV saved as UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise _file_problem("The file must have the columns of the template. Missing: " + ", ".join(missing))
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise _file_problem(f"The file must have {MAX_ROWS:,} rows or fewer")
        rows.append({key: (value or "").strip() for key, value in row.items() if isinstance(key, str)})
    if not rows:
        raise _file_problem("The file is empty: add a row for each invoice line")
    return rows


def _file_problem(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError("file", message)])


def check_upload(session: Session, actor: Actor, filename: str, content: bytes) -> InvoiceUpload:
    """The dry run: checks every row and records the result; saves no invoice."""
    provider_id = actor.require_provider()
    rows = read_rows(content)
    consents = _live_consents(session, provider_id)
    problems: list[_Problem] = []
    groups: dict[str, dict[str, Any]] = {}
    bad_numbers: set[str] = set()  # an invoice with any bad row is not sent, even "only good rows"
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        found = _check_row(row, number, consents, problems)
        if found is None:
            bad_numbers.add(row.get("invoice_number", ""))
            continue
        key = found["invoice_number"]
        group = groups.get(key)
        if group is None:
            groups[key] = {**found, "rows": [number], "lines": [found["line"]]}
            del groups[key]["line"]
            continue
        same = all(group[f] == found[f] for f in ("consent_id", "issued_on", "care_from", "care_to"))
        if not same:
            bad_numbers.add(key)
            problems.append(
                _Problem(
                    number,
                    "invoice_number",
                    "Rows with the same invoice number must be for the same child, dates and invoice date",
                )
            )
            continue
        group["rows"].append(number)
        group["lines"].append(found["line"])
    already = _used_numbers(session, provider_id, set(groups))
    invoices = []
    skipped_numbers = []
    for key, group in groups.items():
        if key in already:
            skipped_numbers.append(key)
            continue
        try:
            service.check_invoice_shape(_input(group))
        except ValidationFailed as error:
            for item in error.errors:
                column = {"care_to": "care_to", "issued_on": "issued_on", "lines": "description"}.get(
                    item.field.split(".")[-1], "invoice_number"
                )
                problems.append(_Problem(group["rows"][0], column, item.message))
            continue
        invoices.append(group)
    invoices = [{**group, "bad": group["invoice_number"] in bad_numbers} for group in invoices]
    with transaction(session):
        upload = InvoiceUpload(
            id=uuid.uuid4(),
            provider_id=provider_id,
            uploaded_by_id=actor.id,
            filename=filename[:200],
            created_at=utcnow(),
            row_count=len(rows),
            invoices=invoices,
            problems=[
                {
                    "row": p.row,
                    "column": p.column,
                    "column_name": COLUMN_NAMES.get(p.column, p.column),
                    "message": p.message,
                }
                for p in sorted(
                    problems, key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else 0)
                )
            ],
            skipped=len(skipped_numbers),
        )
        session.add(upload)
        audit.record(
            session,
            "upload.checked",
            upload,
            actor,
            {
                "rows": len(rows),
                "invoices": len(invoices),
                "problems": len(problems),
                "already_sent": len(skipped_numbers),
            },
        )
    return upload


def _check_row(
    row: dict[str, str],
    number: int,
    consents: dict[tuple[str, str, date], uuid.UUID],
    problems: list[_Problem],
) -> dict[str, Any] | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(_Problem(number, column, message))

    values: dict[str, Any] = {}
    if not row.get("invoice_number"):
        problem("invoice_number", "Enter the invoice number")
    values["invoice_number"] = row.get("invoice_number", "")
    for column, label in (
        ("child_date_of_birth", "Child’s date of birth"),
        ("issued_on", "Invoice date"),
        ("care_from", "Care from"),
        ("care_to", "Care to"),
    ):
        if not row.get(column):
            problem(column, f"Enter the {label[0].lower() + label[1:]}")
            continue
        try:
            values[column] = _date(row[column])
        except ValueError as error:
            problem(column, f"{label} {error}")
    for column, label in (
        ("child_first_name", "child’s first name"),
        ("child_last_name", "child’s last name"),
    ):
        if not row.get(column):
            problem(column, f"Enter the {label}")
    if not row.get("description"):
        problem("description", "Enter a description")
    elif len(row["description"]) > 200:
        problem("description", "Description must be 200 characters or fewer")
    amount = 0
    try:
        amount = parse_pounds(row.get("amount", ""))
        if amount <= 0:
            problem("amount", "Amount must be more than £0")
    except MoneyFormatError as error:
        problem("amount", str(error))
    hours: Decimal | None = None
    if row.get("hours"):
        try:
            hours = Decimal(row["hours"])
            if not hours.is_finite() or hours < 0 or hours > 2400 or hours.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
        except InvalidOperation:
            problem("hours", "Hours must be a number between 0 and 2,400, like 7.5")
    eligible = row.get("eligible", "").lower()
    if eligible not in {"yes", "no", "y", "n", "true", "false"}:
        problem("eligible", "Eligible must be yes or no")
    if len(problems) > before:
        return None
    child_key = (
        row["child_first_name"].lower(),
        row["child_last_name"].lower(),
        values["child_date_of_birth"],
    )
    consent_id = consents.get(child_key)
    if consent_id is None:
        problem(
            "child_first_name",
            "No parent has given you consent for a child with this name and date of birth",
        )
        return None
    return {
        "invoice_number": values["invoice_number"],
        "consent_id": str(consent_id),
        "issued_on": values["issued_on"].isoformat(),
        "care_from": values["care_from"].isoformat(),
        "care_to": values["care_to"].isoformat(),
        "line": {
            "description": row["description"],
            "hours": str(hours) if hours is not None else None,
            "amount_pence": amount,
            "eligible": eligible in {"yes", "y", "true"},
        },
    }


def _input(group: dict[str, Any]) -> service.InvoiceInput:
    return service.InvoiceInput.from_plain(group, source="upload")


def get_upload(session: Session, actor: Actor, upload_id: uuid.UUID) -> InvoiceUpload:
    upload = session.get(InvoiceUpload, upload_id)
    if upload is None or upload.provider_id != actor.require_provider():
        raise NotFound("No such upload")
    return upload


def start_submission(
    session: Session, actor: Actor, upload_id: uuid.UUID, *, only_good: bool
) -> InvoiceUpload:
    """Send the checked invoices. With problems in the file, only if the person chose ``only_good``."""
    with transaction(session):
        upload = get_upload(session, actor, upload_id)
        session.refresh(upload, with_for_update=True)
        if upload.status is not UploadStatus.CHECKED:
            raise rule("upload_already_sent", "Already sent", "This file has already been sent")
        if upload.problems and not only_good:
            raise rule(
                "upload_has_problems",
                "The file has problems",
                "Fix the problems and upload the file again, or choose to send only the good invoices",
            )
        upload.status, upload.only_good_rows, upload.heartbeat_at = (
            UploadStatus.SUBMITTING,
            only_good,
            utcnow(),
        )
        audit.record(session, "upload.submission_started", upload, actor, {"only_good_rows": only_good})
    return upload


def process_upload(session_factory: sessionmaker[Session], upload_id: uuid.UUID) -> None:
    """Submit the upload's invoices in chunks, recording progress after each; resumable.

    The invoices are submitted as the person who uploaded the file.
    """
    while True:
        with session_factory() as session:
            upload = session.get_one(InvoiceUpload, upload_id)
            if upload.status is not UploadStatus.SUBMITTING:
                return
            actor = Actor(
                kind=ActorKind.PROVIDER_USER,
                id=upload.uploaded_by_id,
                label="Spreadsheet upload",
                provider_id=upload.provider_id,
            )
            chunk = upload.invoices[upload.processed : upload.processed + CHUNK]
            todo = [group for group in chunk if not group.get("bad")]
            skipped_bad, step = len(chunk) - len(todo), len(chunk)
            session.rollback()
            created = skipped = 0
            failed: list[dict[str, Any]] = []
            for group in todo:
                try:
                    service.submit_invoice(session, actor, _input(group))
                    created += 1
                except DuplicateInvoiceNumber:
                    session.rollback()
                    skipped += 1
                except DomainError as error:
                    session.rollback()
                    failed.append(
                        {
                            "row": group["rows"][0],
                            "invoice_number": group["invoice_number"],
                            "message": error.detail,
                        }
                    )
            with transaction(session):
                upload = session.get_one(InvoiceUpload, upload_id, with_for_update=True)
                upload.processed += step
                upload.created += created
                upload.skipped += skipped + skipped_bad
                upload.failed = [*upload.failed, *failed]
                upload.heartbeat_at = utcnow()
                if upload.processed >= len(upload.invoices):
                    upload.status, upload.finished_at = UploadStatus.DONE, utcnow()
                    audit.record(
                        session,
                        "upload.submitted",
                        upload,
                        actor,
                        {"created": upload.created, "skipped": upload.skipped, "failed": len(upload.failed)},
                    )
                    return


def stalled_uploads(session: Session) -> list[InvoiceUpload]:
    """Submissions whose worker stopped (its process ended): the scheduler resumes them."""
    return list(
        session.scalars(
            select(InvoiceUpload).where(
                InvoiceUpload.status == UploadStatus.SUBMITTING,
                InvoiceUpload.heartbeat_at < utcnow() - STALE_AFTER,
            )
        )
    )
