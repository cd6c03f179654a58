"""The invoice spreadsheet: its columns, how a file is read, and the checks each row must pass.

One row is one line of an invoice; rows with the same invoice number make one invoice. Pure:
the checks need no database (the consents a row may name are handed in).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from config.errors import N_, FieldError, ValidationFailed, Words
from config.money import MoneyFormatError, parse_pounds
from invoicing import limits

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
# What the eligible column may say, in either language, any case: yes or no ("ie" or "na").
ELIGIBLE_YES = frozenset({"yes", "y", "true", "ie"})
ELIGIBLE_NO = frozenset({"no", "n", "false", "na"})
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Problem:
    row: int
    column: str
    message: str


def reading_order(problem: Problem) -> tuple[int, int]:
    """Problems row by row, and in a row in the order of the columns."""
    return problem.row, COLUMNS.index(problem.column) if problem.column in COLUMNS else 0


EARLIEST, LATEST = date(1900, 1, 1), date(2099, 12, 31)


_DATE = re.compile(r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _NotADate(ValueError):
    """``kind``: "real" (not a date written as one) or "range" (outside 1900 to 2099)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _date(text: str) -> date:
    text = text.strip()
    if not _DATE.fullmatch(text):  # strptime and fromisoformat take other digits and forms too
        raise _NotADate("real")
    for parse in (
        lambda t: datetime.strptime(t, "%d/%m/%Y").date(),  # noqa: DTZ007 - a calendar date
        date.fromisoformat,
    ):
        try:
            found = parse(text)
        except ValueError:
            continue
        if not EARLIEST <= found <= LATEST:
            # 01/01/0001 is a real date to Python, and none this service has any use for.
            raise _NotADate("range")
        return found
    raise _NotADate("real")


# Each date column's problems, whole sentences so each is translated as one (marked at source).
DATE_PROBLEMS = {
    "child_date_of_birth": {
        "missing": N_("Enter the child’s date of birth"),
        "real": N_("Child’s date of birth must be a real date, like 31/10/2026"),
        "range": N_("Child’s date of birth must be between 01/01/1900 and 31/12/2099"),
    },
    "issued_on": {
        "missing": N_("Enter the invoice date"),
        "real": N_("Invoice date must be a real date, like 31/10/2026"),
        "range": N_("Invoice date must be between 01/01/1900 and 31/12/2099"),
    },
    "care_from": {
        "missing": N_("Enter the date the care started"),
        "real": N_("Care from must be a real date, like 31/10/2026"),
        "range": N_("Care from must be between 01/01/1900 and 31/12/2099"),
    },
    "care_to": {
        "missing": N_("Enter the date the care ended"),
        "real": N_("Care to must be a real date, like 31/10/2026"),
        "range": N_("Care to must be between 01/01/1900 and 31/12/2099"),
    },
}
NAME_PROBLEMS = {
    "child_first_name": N_("Enter the child’s first name"),
    "child_last_name": N_("Enter the child’s last name"),
}
ELIGIBLE_PROBLEM = N_("Eligible must be yes or no")
NO_CONSENT = N_("No parent has given you consent for a child with this name and date of birth")
SAME_INVOICE_DIFFERS = N_(
    "Rows with the same invoice number must be for the same child, dates and invoice date"
)


COLUMN_NAMES = {
    "invoice_number": N_("Invoice number"),
    "child_first_name": N_("Child’s first name"),
    "child_last_name": N_("Child’s last name"),
    "child_date_of_birth": N_("Child’s date of birth"),
    "issued_on": N_("Invoice date"),
    "care_from": N_("Care from"),
    "care_to": N_("Care to"),
    "description": N_("Description"),
    "hours": N_("Hours"),
    "amount": N_("Amount"),
    "eligible": N_("Eligible"),
}


class ColumnsRefused(ValidationFailed):
    """The header is not the template's: ``columns`` names what is missing or repeated."""

    def __init__(self, lead: str, columns: list[str]) -> None:
        super().__init__(lead, errors=[FieldError("file", lead)])  # a page adds the columns as code
        self.lead, self.columns = lead, columns


def decode(content: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252, which is
    what Excel saves as "CSV (Comma delimited)" on a Windows PC in the UK (its £ is byte A3)."""
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _file_problem(N_("The file must be a CSV file saved from a spreadsheet")) from exc
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as exc:  # five bytes mean nothing in Windows-1252
        raise _file_problem(N_("The file must be a CSV file saved from a spreadsheet")) from exc


def separator(text: str) -> str:
    """Comma or semicolon (Excel's CSV where the decimal mark is a comma), whichever the header
    line has more of: the header is ours, so it has ten of one and none of the other."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_rows(content: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts of its columns; ``ValidationFailed`` if it is not a usable CSV."""
    if len(content) > MAX_BYTES:
        raise _file_problem(N_("The file must be smaller than 5MB"))
    text = decode(content)
    if not text.strip():  # nothing at all, not even the header: no columns to speak of
        raise _file_problem(N_("The selected file is empty"))
    if "\x00" in text:  # the csv module cannot read past one, and PostgreSQL cannot store one
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _file_problem(
            Words("The file must be a CSV file: line %(line)s has a null character", line=line)
        )
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=separator(text))
    try:
        rows = _rows(reader)
    except csv.Error as exc:
        line = reader.line_num + 1  # the record being read when it failed
        raise _file_problem(
            Words("The file must be a CSV file: line %(line)s cannot be read", line=line)
        ) from exc
    if not rows:
        raise _file_problem(N_("The file is empty: add a row for each invoice line"))
    return rows


def _rows(reader: csv.DictReader[str]) -> list[dict[str, str]]:
    """The rows under a header that names every column of the template, each once."""
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        lead = N_("The file must have the columns of the template. Missing:")
        raise ColumnsRefused(lead, missing)
    repeated = sorted({column for column in header if column and header.count(column) > 1})
    if repeated:
        # Which of two "amount" columns would count? Refuse rather than guess.
        lead = N_("The file must have each column once. More than once:")
        raise ColumnsRefused(lead, repeated)
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise _file_problem(Words("The file must have %(most)s rows or fewer", most=f"{MAX_ROWS:,}"))
        rows.append({key: (value or "").strip() for key, value in row.items() if isinstance(key, str)})
    return rows


def identical_rows(rows: list[dict[str, str]]) -> list[list[int]]:
    """Row numbers (the header is row 1) of rows exactly alike, each group in file order: a line
    pasted twice would be on its invoice twice."""
    seen: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for number, row in enumerate(rows, start=2):
        key = tuple(sorted((name, value) for name, value in row.items() if name in COLUMNS))
        if any(value for _, value in key):
            seen.setdefault(key, []).append(number)
    return [numbers for numbers in seen.values() if len(numbers) > 1]


def _file_problem(message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[FieldError("file", message)])


_COLUMN_OF_FIELD = {
    "care_to": "care_to",
    "issued_on": "issued_on",
    "lines": "description",
    "description": "description",
    "amount_pence": "amount",
    "hours": "hours",
}


def group_problems(group: dict[str, Any], error: ValidationFailed) -> list[Problem]:
    """The service's problems with one invoice, each on the row and column it comes from."""
    found = []
    for item in error.errors:
        name, row = item.field, group["rows"][0]
        if name.startswith("lines["):
            index = int(name[len("lines[") : name.index("]")])
            row = group["rows"][index] if index < len(group["rows"]) else row
        column = _COLUMN_OF_FIELD.get(name.split(".")[-1], "invoice_number")
        found.append(Problem(row, column, item.message))
    return found


_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")


def _no_decimal_comma(text: str) -> str:
    """A comma only as thousands (1,250.00): a spreadsheet set up for a decimal comma (whose CSV
    is separated by semicolons) writes 950,00, which must never be read as £95,000."""
    bare = text.strip().removeprefix("£").strip()
    if "," in bare and not _GROUPED.fullmatch(bare):
        raise MoneyFormatError(N_("Amount must have a full stop before the pence, like 950.00"))
    return text


def check_row(
    row: dict[str, str],
    number: int,
    consents: dict[tuple[str, str, date], uuid.UUID],
    problems: list[Problem],
) -> dict[str, Any] | None:
    before = len(problems)

    def problem(column: str, message: str) -> None:
        problems.append(Problem(number, column, message))

    values: dict[str, Any] = {}
    if not row.get("invoice_number"):
        problem("invoice_number", limits.ENTER_INVOICE_NUMBER)
    values["invoice_number"] = row.get("invoice_number", "")
    for column, problems_of in DATE_PROBLEMS.items():
        if not row.get(column):
            problem(column, problems_of["missing"])
            continue
        try:
            values[column] = _date(row[column])
        except _NotADate as error:
            problem(column, problems_of[error.kind])
    for column, missing in NAME_PROBLEMS.items():
        if not row.get(column):
            problem(column, missing)
    if (wrong := limits.description_problem(row.get("description", ""))) is not None:
        problem("description", wrong)
    amount = 0
    try:
        amount = parse_pounds(_no_decimal_comma(row.get("amount", "")))
    except MoneyFormatError as error:
        problem("amount", str(error))
    else:
        if (wrong := limits.amount_problem(amount)) is not None:
            problem("amount", wrong)
    hours: Decimal | None = None
    if row.get("hours"):
        try:
            hours = limits.parse_hours(row["hours"])
        except InvalidOperation:
            problem("hours", limits.HOURS_OUT_OF_RANGE)
        else:
            if (wrong := limits.hours_problem(hours)) is not None:
                problem("hours", wrong)
    eligible = row.get("eligible", "").lower()
    if eligible not in ELIGIBLE_YES | ELIGIBLE_NO:
        problem("eligible", ELIGIBLE_PROBLEM)
    if len(problems) > before:
        return None
    child_key = (
        row["child_first_name"].lower(),
        row["child_last_name"].lower(),
        values["child_date_of_birth"],
    )
    consent_id = consents.get(child_key)
    if consent_id is None:
        problem("child_first_name", NO_CONSENT)
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
            "eligible": eligible in ELIGIBLE_YES,
        },
    }
