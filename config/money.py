"""Money is integer pence. This module formats pence for people and parses what people type."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from config.errors import N_

_AMOUNT = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,2})?$")
# Commas only where they group thousands: "1,234.50" is £1,234.50, but "950,00" (a decimal comma,
# as many European spreadsheets write it) is not £95,000.
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")


class MoneyFormatError(ValueError):
    pass


def format_pence(pence: int) -> str:
    """``123456`` → ``£1,234.56``; negative amounts get a leading minus sign."""
    if not isinstance(pence, int) or isinstance(pence, bool):
        raise TypeError("money is integer pence")
    sign = "-" if pence < 0 else ""
    pounds, rest = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rest:02d}"


def parse_pounds(text: str) -> int:
    """Parse an amount a person typed (``£1,234.5``, ``12``) into pence.

    Refuses negative amounts, more than two decimal places and anything that is not a number,
    with messages in GOV.UK wording.
    """
    cleaned = text.strip().removeprefix("£").strip()
    if "," in cleaned:
        if not _GROUPED.match(cleaned):
            raise MoneyFormatError(
                N_("Amount must be a number, like 12.50, with a full stop before the pence")
            )
        cleaned = cleaned.replace(",", "")
    if cleaned == "":
        raise MoneyFormatError(N_("Enter an amount"))
    if cleaned.startswith("-"):
        raise MoneyFormatError(N_("Amount must be £0 or more"))
    if not _AMOUNT.match(cleaned):
        if re.match(r"^[0-9]+\.[0-9]{3,}$", cleaned):
            raise MoneyFormatError(N_("Amount must not have more than 2 decimal places"))
        raise MoneyFormatError(N_("Amount must be a number, like 12.50"))
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards this
        raise MoneyFormatError(N_("Amount must be a number, like 12.50")) from exc
    return int(value * 100)
