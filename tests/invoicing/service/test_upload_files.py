"""Spreadsheet files as nurseries' spreadsheets save them: Excel's default CSV (Windows-1252, with
£), UTF-8 with or without a byte-order mark, separated by commas or semicolons, read without
asking; identical rows warned about, totals shown, every problem in the summary linked to its row."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from sqlalchemy import func, select

from invoicing import spreadsheet
from invoicing.models import Invoice, InvoiceUpload
from invoicing.spreadsheet import COLUMNS
from tests.conftest import LiveServer
from tests.factories import World
from tests.invoicing.service.test_uploads import row, staff, upload, wait_until_sent


def file_of(rows: list[dict[str, str]], encoding: str, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


FILES = [
    pytest.param("cp1252", ",", id="excel-windows-1252-comma"),
    pytest.param("cp1252", ";", id="excel-windows-1252-semicolon"),
    pytest.param("utf-8", ",", id="utf-8-comma"),
    pytest.param("utf-8-sig", ",", id="utf-8-bom-comma"),
    pytest.param("utf-8-sig", ";", id="utf-8-bom-semicolon"),
    pytest.param("utf-8", ";", id="utf-8-semicolon"),
]


@pytest.mark.parametrize(("encoding", "delimiter"), FILES)
def test_each_encoding_and_separator_is_read_without_asking(
    live_server: LiveServer, db, encoding: str, delimiter: str
) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    rows = [
        row(world, "E-1", description="Crèche – full days", amount="£950.00"),
        row(world, "E-1", description="Lunches", amount="£1,050.00", hours="", eligible="no"),
    ]
    content = file_of(rows, encoding, delimiter)
    if encoding == "cp1252":
        assert b"\xa3950.00" in content  # the pound sign as Excel writes it on Windows
    checked = upload(user, content, name="from-excel.csv")
    assert checked.status_code == 200, checked.text[:400]
    assert "There is a problem" not in checked.text
    assert "£2,000.00" in checked.text  # the invoices' total
    done = wait_until_sent(user, user.submit(checked, "Send 1 invoice").url)
    assert "1 sent to parents to confirm" in done
    invoice = db.scalars(select(Invoice)).one()
    assert (invoice.total_pence, [line.description for line in invoice.lines]) == (
        200_000,
        ["Crèche – full days", "Lunches"],
    )


def test_a_decimal_comma_is_never_read_as_thousands(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    checked = upload(user, file_of([row(world, "C-1", amount="950,00")], "cp1252", ";"))
    assert "Amount must have a full stop before the pence, like 950.00" in checked.text
    assert 'href="#row-2"' in checked.text and 'id="row-2"' in checked.text


def test_the_check_page_shows_totals_and_what_dwp_expects_to_pay(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    content = file_of(
        [row(world, "T-1", amount="400.00"), row(world, "T-2", description="Half days", amount="200.00")],
        "utf-8",
        ",",
    )
    checked = upload(user, content)
    text = checked.text
    assert "New invoices ready to send" in text
    assert "£600.00" in text  # the total
    assert "£510.00" in text  # 85% of it, within the parent's monthly maximum
    assert "£90.00" in text  # what parents pay
    record = db.scalars(select(InvoiceUpload)).one()
    assert sorted(group["dwp_pence"] for group in record.invoices) == [17_000, 34_000]


def test_identical_rows_are_named_by_row_number_before_sending(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    line = row(world, "S-1", description="Full days", amount="300.00")
    content = file_of([line, row(world, "S-1", description="Meals", amount="20"), line, line], "utf-8", ",")
    checked = upload(user, content)
    text = re.sub(r"\s+", " ", checked.text)
    assert "Rows 2, 4 and 5 are exactly the same: invoice S-1 would have this line 3 times" in text
    assert "Send 1 invoice" in text  # a warning, not a problem: the person decides
    assert db.scalar(select(func.count()).select_from(Invoice)) == 0


def test_more_problems_than_the_summary_shows_link_to_the_table(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    rows = [row(world, f"B-{n}", care_from="nope") for n in range(25)]
    checked = upload(user, file_of(rows, "utf-8", ","))
    assert checked.text.count('href="#row-') == 20 and 'href="#problems"' in checked.text
    assert "See all 25 problems in the table below" in checked.text
    assert all(f'id="row-{n}"' in checked.text for n in range(2, 27))
    assert "<title>Error: Check your file" in checked.text


def test_a_header_with_missing_columns_names_them_as_code(live_server: LiveServer, db) -> None:
    user = staff(live_server, db, World(db))
    refused = upload(user, "invoice_number;amount\nA;1\n".encode("cp1252"))
    assert refused.status_code == 400
    assert "Missing: <code>child_first_name</code>, <code>child_last_name</code>" in refused.text


@pytest.mark.parametrize("content", [b"", b"\r\n", "\ufeff".encode()], ids=["0-bytes", "a-blank-line", "bom"])
def test_an_empty_file_is_said_to_be_empty_in_english_and_welsh(live_server: LiveServer, db, content) -> None:
    user = staff(live_server, db, World(db))
    refused = upload(user, content)
    assert refused.status_code == 400 and "The selected file is empty" in refused.text
    assert "Missing:" not in refused.text  # not "the columns are missing"
    user.get("/provider/invoices/upload?lang=cy")
    welsh = upload(user, content)
    assert welsh.status_code == 400 and "Mae'r ffeil a ddewiswyd yn wag" in html.unescape(welsh.text)


def test_the_eligible_column_takes_welsh_answers_in_any_case(live_server: LiveServer, db) -> None:
    world = World(db)
    user = staff(live_server, db, world)
    rows = [
        row(world, "W-1", description="Diwrnodau llawn", amount="300.00", eligible="Ie"),
        row(world, "W-1", description="Cinio", amount="20.00", hours="", eligible="NA"),
        row(world, "W-1", description="Trip", amount="5.00", hours="", eligible="naddo"),
    ]
    refused = upload(user, file_of(rows, "utf-8", ","))
    assert "Row 4: Eligible must be yes or no" in re.sub(r"\s+", " ", refused.text)
    assert "Row 2:" not in refused.text and "Row 3:" not in refused.text
    checked = upload(user, file_of(rows[:2], "utf-8", ","))
    wait_until_sent(user, user.submit(checked, "Send 1 invoice").url)
    invoice = db.scalars(select(Invoice)).one()
    assert [(line.description, line.eligible) for line in invoice.lines] == [
        ("Diwrnodau llawn", True),
        ("Cinio", False),
    ]


def test_the_separator_is_the_one_the_header_line_uses() -> None:
    assert spreadsheet.separator("invoice_number;child_first_name;amount\n1,2;3") == ";"
    assert spreadsheet.separator("invoice_number,child_first_name,amount\n1;2;3") == ","
    assert spreadsheet.decode("£".encode("cp1252")) == "£"
    assert spreadsheet.decode("\ufeff£".encode()) == "£"
