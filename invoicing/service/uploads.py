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

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from claimants import repository as claimants_repository
from claimants.models import Child, Consent
from config import audit
from config.auth import Actor
from config.database import transaction, utcnow
from config.errors import DomainError, DuplicateInvoiceNumber, NotFound, ValidationFailed, kept, rule
from invoicing import repository, spreadsheet
from invoicing.models import InvoiceUpload, UploadStatus
from invoicing.service import upload_totals
from invoicing.service.submission import InvoiceInput, check_invoice_shape, submit_invoice
from providers.service import provider_user_actor

CHUNK = 50
STALE_AFTER = timedelta(minutes=5)


def _live_consents(
    session: Session, provider_id: uuid.UUID
) -> tuple[dict[tuple[str, str, date], uuid.UUID], dict[uuid.UUID, tuple[Consent, Child]]]:
    """The provider's live consents by child (first name, last name, date of birth), and each
    consent with its child by the consent's id, in one query."""
    pairs = claimants_repository.live_consents_of_provider(session, provider_id, utcnow())
    by_child = {
        (child.first_name.strip().lower(), child.last_name.strip().lower(), child.date_of_birth): consent.id
        for consent, child in pairs
    }
    return by_child, {consent.id: (consent, child) for consent, child in pairs}


def check_upload(session: Session, actor: Actor, filename: str, content: bytes) -> InvoiceUpload:
    """The dry run: checks every row and records the result; saves no invoice."""
    provider_id = actor.require_provider()
    rows = spreadsheet.read_rows(content)
    consents, children = _live_consents(session, provider_id)
    problems: list[spreadsheet.Problem] = []
    groups: dict[str, dict[str, Any]] = {}
    bad_numbers: set[str] = set()  # an invoice with any bad row is not sent, even "only good rows"
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        found = spreadsheet.check_row(row, number, consents, problems)
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
                spreadsheet.Problem(
                    number,
                    "invoice_number",
                    spreadsheet.SAME_INVOICE_DIFFERS,
                )
            )
            continue
        group["rows"].append(number)
        group["lines"].append(found["line"])
    already = repository.used_invoice_numbers(session, provider_id, set(groups))
    invoices = []
    skipped_numbers = []
    for key, group in groups.items():
        if key in already:
            skipped_numbers.append(key)
            continue
        try:
            check_invoice_shape(_input(group))
        except ValidationFailed as error:
            problems.extend(spreadsheet.group_problems(group, error))
            continue
        invoices.append(group)
    invoices = upload_totals.price(session, invoices, children, problems)
    alike = {numbers[0]: numbers for numbers in spreadsheet.identical_rows(rows)}
    invoices = [
        {
            **group,
            "bad": group["invoice_number"] in bad_numbers,
            "identical_rows": [alike[number] for number in group["rows"] if number in alike],
        }
        for group in invoices
    ]
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
                    "column_name": spreadsheet.COLUMN_NAMES.get(p.column, p.column),
                    **kept(p.message),
                }
                for p in sorted(problems, key=spreadsheet.reading_order)
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


# Where an invoice-level problem is shown: the column of the field the service names.
def _input(group: dict[str, Any]) -> InvoiceInput:
    return InvoiceInput.from_plain(group, source="upload")


def get_upload(session: Session, actor: Actor, upload_id: uuid.UUID) -> InvoiceUpload:
    upload = repository.find_upload(session, upload_id)
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
            actor = provider_user_actor(upload.uploaded_by_id, upload.provider_id, "Spreadsheet upload")
            chunk = upload.invoices[upload.processed : upload.processed + CHUNK]
            todo = [group for group in chunk if not group.get("bad")]
            skipped_bad, step = len(chunk) - len(todo), len(chunk)
            session.rollback()
            created = skipped = 0
            failed: list[dict[str, Any]] = []
            for group in todo:
                try:
                    submit_invoice(session, actor, _input(group))
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
                            **kept(error.detail),
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
    return repository.uploads_submitting_since(session, utcnow() - STALE_AFTER)
