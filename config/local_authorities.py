"""English local authorities that run early-years funding (the upper tier: county councils,
unitary authorities, metropolitan districts and London boroughs). Pure: read from dated data.

``config/local_authorities.csv`` lists each by its ONS GSS code, with the date and the source of
the list it comes from. A reorganisation (councils merged or split) is an edit of that file: the
README says how to keep it current.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

_FILE = Path(__file__).resolve().parent / "local_authorities.csv"


@dataclass(frozen=True)
class LocalAuthority:
    gss_code: str
    name: str
    source_date: date
    source_url: str
    source: str


@cache
def authorities() -> tuple[LocalAuthority, ...]:
    """Every authority, by name."""
    with _FILE.open(newline="", encoding="utf-8") as handle:
        rows = [
            LocalAuthority(
                gss_code=row["gss_code"],
                name=row["name"],
                source_date=date.fromisoformat(row["source_date"]),
                source_url=row["source_url"],
                source=row["source"],
            )
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(rows, key=lambda authority: authority.name))


@cache
def _by_code() -> dict[str, LocalAuthority]:
    return {authority.gss_code: authority for authority in authorities()}


def find(gss_code: str | None) -> LocalAuthority | None:
    """The authority with this GSS code, or ``None`` (none recorded, or not one we list)."""
    return _by_code().get((gss_code or "").strip().upper())
