"""CSV files people open in spreadsheets: what we write is neutralised against formula injection.

A cell beginning ``=``, ``+``, ``-``, ``@``, tab or carriage return is run as a formula by Excel,
LibreOffice and Google Sheets (OWASP "CSV Injection"); such a value is written with a leading
apostrophe, which spreadsheets show as text. Numbers we write ourselves (pence, counts) are
written as they are, so a credit of -5 stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return out.getvalue()


def csv_download(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    return Response(
        "\ufeff" + csv_text(header, rows),  # the byte-order mark makes Excel read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
