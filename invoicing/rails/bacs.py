"""Bacs Standard 18 (bulk direct credit): the file a batch's Bacs payments are sent in. Pure.

Layout (shared/RAILS.md): ``VOL1``, ``HDR1``, ``HDR2``, ``UHL1`` labels of 80 characters; one
100-character ``99`` credit per payment; one ``17`` contra debiting DWP's account for the total;
then ``EOF1``, ``EOF2``, ``UTL1`` with the control totals. Fields are upper case from A–Z, 0–9,
``.``, ``&``, ``/``, ``-`` and space. The widths of label fields beyond those RAILS.md confirms
are kept here, in one tested module, to be checked against the bank's own specification.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

_NOT_ALLOWED = re.compile(r"[^A-Z0-9.&/\- ]")
_APOSTROPHES = re.compile("['\u2018\u2019\u02bc`]")
CREDIT = "99"
CONTRA = "17"


def is_bacs_day(day: date) -> bool:
    """Monday to Friday outside England and Wales bank holidays (offline rules, no network)."""
    return day.weekday() < 5 and day not in holidays.UK(subdiv="ENG", years=day.year)


def next_bacs_day(day: date) -> date:
    while not is_bacs_day(day):
        day += timedelta(days=1)
    return day


def add_bacs_days(day: date, count: int) -> date:
    for _ in range(count):
        day = next_bacs_day(day + timedelta(days=1))
    return day


def processing_day(input_day: date) -> date:
    """The Bacs processing day for a file sent on ``input_day`` (the next Bacs day after it)."""
    return add_bacs_days(next_bacs_day(input_day), 1)


def entry_day(processing: date) -> date:
    """The day the money reaches the provider's account."""
    return add_bacs_days(processing, 1)


def transliterate(text: str) -> str:
    """``text`` in the Bacs character set: accents taken off (é → E), apostrophes dropped
    (O'Neill → ONEILL), anything else outside the set a space, spaces run together."""
    plain = "".join(
        char for char in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(char)
    )
    plain = _APOSTROPHES.sub("", plain.replace("ß", "SS").replace("æ", "AE").replace("Æ", "AE"))
    return " ".join(_NOT_ALLOWED.sub(" ", plain.upper()).split())


def clean(text: str, width: int) -> str:
    """``transliterate``d, cut or padded to ``width``."""
    return transliterate(text)[:width].ljust(width)


def bacs_name(text: str, what: str = "name") -> str:
    """A name as it goes in a file; ``ValueError`` if nothing of it survives (a name is never blank)."""
    name = transliterate(text)
    if not name:
        raise ValueError(f"the {what} {text!r} has no letters or digits a Bacs file can carry")
    return name


def julian(day: date) -> str:
    """`` YYDDD``: a space, the year's last two digits and the day of the year."""
    return f" {day:%y}{day.timetuple().tm_yday:03d}"


def _label(text: str) -> str:
    if len(text) > 80:
        raise ValueError(f"a {text[:4]} label is 80 characters")
    return text.ljust(80)


@dataclass(frozen=True)
class Originator:
    service_user_number: str  # SUN, 6 digits
    sort_code: str
    account_number: str
    name: str  # the service user's name payees see


@dataclass(frozen=True)
class Credit:
    sort_code: str
    account_number: str
    account_name: str
    amount_pence: int
    reference: str


def _record(
    dest_sort: str,
    dest_account: str,
    code: str,
    origin: Originator,
    amount: int,
    name: str,
    ref: str,
    dest_name: str,
) -> str:
    if not (0 < amount < 10**11):
        raise ValueError("a Bacs amount is 1p to £999,999,999.99")
    for value in (dest_sort, dest_account, origin.sort_code, origin.account_number):
        if not (value.isascii() and value.isdigit()):
            raise ValueError(f"a Bacs sort code or account number is ASCII digits, not {value!r}")
    record = (
        f"{dest_sort:0>6}"[:6]
        + f"{dest_account:0>8}"[:8]
        + "0"
        + code
        + origin.sort_code
        + origin.account_number
        + " " * 4
        + f"{amount:011d}"
        + clean(name, 18)
        + clean(ref, 18)
        + clean(dest_name, 18)
    )
    assert len(record) == 100, len(record)
    return record


def standard18(
    origin: Originator,
    credits: list[Credit],
    *,
    serial: int,
    created: date,
    processing: date,
    file_number: int = 1,
) -> str:
    """The whole file: labels, one credit per payment, the contra, trailers. Lines end CRLF.

    ``serial`` is the VOL1 serial, unique across every file the service user sends;
    ``file_number`` counts the files for one processing day from 1 (UHL1's file number).
    """
    if not credits:
        raise ValueError("a Bacs file needs at least one credit")
    if not (1 <= serial <= 999_999):
        raise ValueError("the file serial number is six digits, and not all zeros")
    if not (1 <= file_number <= 999):
        raise ValueError("a processing day takes at most 999 files")
    if not is_bacs_day(processing):
        raise ValueError(f"{processing.isoformat()} is not a Bacs processing day")
    bacs_name(origin.name, "service user's name")
    for credit in credits:
        bacs_name(credit.account_name, f"account name of {credit.reference}")
    total = sum(c.amount_pence for c in credits)
    sun = f"{origin.service_user_number:0>6}"[:6]
    file_id = f"{sun}{serial:06d}"
    labels = [
        _label(f"VOL1{serial:06d}" + " " * 31 + sun.ljust(14) + " " * 24 + "1"),
        # File id, set id, section and sequence, blank generation, created and expiry dates, a
        # blank accessibility indicator, then the block count: zero-filled.
        _label(
            "HDR1A"
            + sun
            + "S  1"
            + file_id
            + "00010001"
            + " " * 6
            + julian(created)
            + julian(processing)
            + " "
            + "000000"
        ),
        _label("HDR2F" + "02000" + "00100" + " " * 35 + "00"),
        _label(
            "UHL1" + julian(processing) + "999999" + "    " + "000000001" + " DAILY  " + f"{file_number:03d}"
        ),
    ]
    body = [
        _record(
            c.sort_code,
            c.account_number,
            CREDIT,
            origin,
            c.amount_pence,
            origin.name,
            c.reference,
            c.account_name,
        )
        for c in credits
    ]
    contra = _record(
        origin.sort_code, origin.account_number, CONTRA, origin, total, origin.name, "CONTRA", origin.name
    )
    trailers = [
        "EOF1" + labels[1][4:],
        "EOF2" + labels[2][4:],
        _label("UTL1" + f"{total:013d}" + f"{total:013d}" + f"{1:07d}" + f"{len(credits):07d}"),
    ]
    lines = [*labels, *body, contra, *trailers]
    return "\r\n".join(lines) + "\r\n"


@dataclass(frozen=True)
class ParsedFile:
    credits: list[Credit]
    debit_total: int
    credit_total: int
    credit_count: int
    processing: str


def parse(text: str) -> ParsedFile:
    """Read a Standard 18 file back (used to check what we wrote, as a bank would)."""
    lines = [line for line in text.split("\r\n") if line]
    data = [line for line in lines if len(line) == 100]
    credits = [
        Credit(line[0:6], line[6:14], line[82:100].rstrip(), int(line[35:46]), line[64:82].rstrip())
        for line in data
        if line[15:17] == CREDIT
    ]
    utl = next(line for line in lines if line.startswith("UTL1"))
    uhl = next(line for line in lines if line.startswith("UHL1"))
    return ParsedFile(credits, int(utl[4:17]), int(utl[17:30]), int(utl[37:44]), uhl[4:10])
