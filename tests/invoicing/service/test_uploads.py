"""Invoices from a spreadsheet: the template, the dry run, bad and hostile rows, re-uploads, 5,000 rows."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from config.database import utcnow
from config.scheduler import run_job
from invoicing.models import Invoice, InvoiceUpload, UploadStatus
from invoicing.service import uploads
from invoicing.spreadsheet import COLUMNS
from providers.models import ProviderUser
from tests.conftest import LiveServer
from tests.factories import (
    PASSWORD,
    World,
    create_child,
    create_consent,
    create_provider_user,
    previous_month,
)
from tests.http import User, forms, sign_in_provider


def staff(live_server: LiveServer, db, world: World) -> User:
    colleague = create_provider_user(db, world.provider, world.provider_user)
    user, _ = sign_in_provider(live_server.url, db.get_one(ProviderUser, colleague.id).email, PASSWORD)
    return user


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def row(world: World, number: str, **changes: str) -> dict[str, str]:
    start, end = previous_month()
    child = world.child
    values = {
        "invoice_number": number,
        "child_first_name": child.first_name,
        "child_last_name": child.last_name,
        "child_date_of_birth": child.date_of_birth.strftime("%d/%m/%Y"),
        "issued_on": end.strftime("%d/%m/%Y"),
        "care_from": start.strftime("%d/%m/%Y"),
        "care_to": end.isoformat(),
        "description": "Full days",
        "hours": "120",
        "amount": "950.00",
        "eligible": "yes",
    }
    return {**values, **changes}


def upload(user: User, content: bytes, name: str = "invoices.csv"):
    page = user.get("/provider/invoices/upload")
    token = csrf_token(page)
    return user.http.post(
        f"{user.base_url}/provider/invoices/upload",
        data={"csrf_token": token},
        files={"file": (name, content, "text/csv")},
        timeout=60,
    )


def csrf_token(page) -> str:
    return next(form.fields["csrf_token"] for form in forms(page) if "csrf_token" in form.fields)


def wait_until_sent(user: User, page_url: str, timeout: float = 240) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = user.http.get(page_url, timeout=30).text
        if "Invoices sent" in text:
            return text
        time.sleep(0.5)
    raise AssertionError("the upload did not finish")


def test_the_template_has_every_column_and_an_example(live_server: LiveServer, db) -> None:
    user = staff(live_server, db, World(db))
    template = user.get("/provider/invoices/upload/template.csv")
    assert template.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 2


def test_the_dry_run_names_every_bad_row_and_column_and_saves_nothing(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    content = csv_bytes(
        [
            row(world, "A-1"),
            row(world, "A-2", care_from="31/02/2026"),
            row(world, "A-3", amount="12.345", hours="-1"),
            row(world, "A-4", eligible="maybe", child_first_name="Nobody"),
            row(world, "", description=""),
            row(world, "A-1", care_to="2026-01-31"),  # same number, other dates
        ]
    )
    checked = upload(user, content)
    assert urlsplit(checked.url).path.startswith("/provider/invoices/uploads/")
    text = checked.text
    assert "There is a problem" in text and "5 rows have problems" in text
    for number in (3, 4, 5, 6, 7):  # each problem in the summary links to its row in the table
        assert f'href="#row-{number}"' in text and f'id="row-{number}"' in text
    for expected in (
        "Care from must be a real date",
        "Amount must not have more than 2 decimal places",
        "Hours must be a number between 0 and 2,400",
        "Eligible must be yes or no",
        "Enter the invoice number",
        "Enter a description",
        "Rows with the same invoice number must be for the same child",
    ):
        assert expected in text, expected
    upload_row = db.scalars(select(InvoiceUpload)).one()
    assert {(p["row"], p["column"]) for p in upload_row.problems} >= {
        (3, "care_from"),
        (4, "amount"),
        (4, "hours"),
        (5, "eligible"),
        (6, "invoice_number"),
        (6, "description"),
        (7, "invoice_number"),
    }
    assert "Send only the" not in text  # A-1 is bad too (row 7), so no invoice is good
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0
    # Sending anyway is refused: all or nothing unless the person chooses the good rows.
    token = csrf_token(user.get("/provider/invoices/upload"))  # the session's token, valid for any form
    refused = user.http.post(f"{checked.url}/send", data={"csrf_token": token}, timeout=30)
    assert refused.status_code == 422 and db.scalar(select(func.count()).select_from(Invoice)) == 0


def test_a_file_that_is_not_the_template_is_refused_with_a_message(live_server: LiveServer, db) -> None:
    user = staff(live_server, db, World(db))
    wrong_columns = upload(user, b"name,amount\nAda,12\n")
    assert wrong_columns.status_code == 400 and "Missing: <code>invoice_number</code>" in wrong_columns.text
    not_text = upload(user, b"invoice_number\n\x81\x8d\x9d")  # not UTF-8, and not Windows-1252 either
    assert not_text.status_code == 400 and "must be a CSV file saved from a spreadsheet" in not_text.text
    assert db.scalar(select(func.count()).select_from(InvoiceUpload)) == 0


def test_only_the_good_invoices_are_sent_when_the_person_chooses_that(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    content = csv_bytes(
        [
            row(world, "G-1"),
            row(world, "G-1", description="Meals", amount="40", hours="", eligible="no"),
            row(world, "<script>alert(1)</script>", description="=cmd|' /C calc'!A0", care_from="nope"),
        ]
    )
    checked = upload(user, content)
    assert "Send only the 1 invoice with no problems" in checked.text
    done = user.submit(checked, "Send only the 1 invoice with no problems")
    text = wait_until_sent(user, done.url)
    assert "1 sent to parents to confirm" in text
    invoice = db.scalars(select(Invoice)).one()
    assert (invoice.invoice_number, invoice.total_pence, invoice.eligible_pence, invoice.source) == (
        "G-1",
        99_000,
        95_000,
        "upload",
    )
    assert "<script>alert(1)</script>" not in user.get("/provider/invoices").text


def test_uploading_the_same_rows_again_creates_no_duplicates(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    content = csv_bytes([row(world, "D-1"), row(world, "D-2", description="Half days", amount="300")])
    first = upload(user, content)
    assert "New invoices ready to send" in first.text and "£1,250.00" in first.text
    wait_until_sent(user, user.submit(first, "Send 2 invoices").url)
    again = upload(user, content)
    assert "Sent before, will be skipped" in again.text and "2 invoices" in again.text
    assert "There is nothing new to send" in again.text
    assert db.scalar(select(func.count()).select_from(Invoice)) == 2


def test_a_5000_row_file_is_checked_then_sent_in_the_background_with_progress(
    live_server: LiveServer, db
) -> None:
    world = World(db)
    children = [world.child]
    for n in range(19):
        child = create_child(db, world.parent, first_name=f"Child{n}")
        create_consent(db, world.provider_user, world.parent, child)
        children.append(child)
    rows = []
    for number in range(1000):  # 1,000 invoices of 5 lines: 5,000 rows
        child = children[number % len(children)]
        for line in range(5):
            rows.append(
                row(
                    world,
                    f"BULK-{number:04d}",
                    child_first_name=child.first_name,
                    child_date_of_birth=child.date_of_birth.strftime("%d/%m/%Y"),
                    description=f"Week {line + 1}",
                    hours="20",
                    amount="150.00",
                )
            )
    user = staff(live_server, db, world)
    started = time.monotonic()
    checked = upload(user, csv_bytes(rows))
    assert time.monotonic() - started < 30  # the dry run answers well inside a request timeout
    assert "Rows in the file" in checked.text and "5,000" in checked.text and "1,000" in checked.text
    sent = user.submit(checked, "Send 1000 invoices")
    assert "Sending your invoices" in sent.text and "invoices done" in sent.text
    # No meta refresh (it reloads the page under a screen reader's feet): a script updates the
    # progress in place, and without JavaScript there is a link to look again.
    assert 'http-equiv="refresh"' not in sent.text and "data-upload-progress" in sent.text
    assert ">Refresh</a>" in sent.text
    wait_until_sent(user, sent.url)
    record = db.scalars(select(InvoiceUpload)).one()
    db.refresh(record)
    assert (record.status, record.created, record.processed) == (UploadStatus.DONE, 1000, 1000)
    assert db.scalar(select(func.count()).select_from(Invoice)) == 1000


def test_a_submission_whose_process_stopped_is_finished_by_the_scheduler_without_duplicates(
    session, session_factory
) -> None:
    world = World(session)
    world.submit(number="R-1")  # already sent before the file
    content = csv_bytes([row(world, "R-1"), row(world, "R-2"), row(world, "R-3", description="Half days")])
    record = uploads.check_upload(session, world.provider_user, "again.csv", content)
    assert (len(record.invoices), record.skipped) == (2, 1)
    uploads.start_submission(session, world.provider_user, record.id, only_good=False)
    run_job(session_factory, "resume-uploads")
    session.refresh(record)
    assert record.status is UploadStatus.SUBMITTING  # its worker may still be alive: left alone
    record.heartbeat_at = utcnow() - timedelta(minutes=10)  # the web process died part way
    session.commit()
    assert run_job(session_factory, "resume-uploads").outcome == "succeeded"
    session.refresh(record)
    assert (record.status, record.created) == (UploadStatus.DONE, 2)
    numbers = sorted(session.scalars(select(Invoice.invoice_number)))
    assert numbers == ["R-1", "R-2", "R-3"]
    run_job(session_factory, "resume-uploads")  # safe to run again
    assert session.scalar(select(func.count()).select_from(Invoice)) == 3
