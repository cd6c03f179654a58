"""The limits of an invoice, defined once.

The API's schema, the portal's form, the spreadsheet checker and the service all take their
limits and their words from here, so the same value is refused the same way wherever it is
typed. Pure: no database, no Flask.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from config.errors import N_
from invoicing.eligibility import days_inclusive

MAX_INVOICE_NUMBER = 40
MAX_LINES = 50
MAX_DESCRIPTION = 200
MAX_AMOUNT_PENCE = 10_000_000  # £100,000 a line
MAX_HOURS = Decimal(2400)
HOURS_PLACES = 2
MAX_CARE_DAYS = 92
MAX_CREDIT_REASON = 500
MAX_CANCEL_REASON = 1000

# The words, marked for translation (N_) and shown in the page's language; a test checks each
# number in them against its limit above.
ENTER_INVOICE_NUMBER = N_("Enter the invoice number")
INVOICE_NUMBER_TOO_LONG = N_("Invoice number must be 40 characters or fewer")
ENTER_DESCRIPTION = N_("Enter a description")
DESCRIPTION_TOO_LONG = N_("Description must be 200 characters or fewer")
AMOUNT_NOT_WHOLE_PENCE = N_("Amount must be a whole number of pence")
AMOUNT_TOO_SMALL = N_("Amount must be more than £0")
AMOUNT_TOO_LARGE = N_("Amount must be £100,000 or less")
HOURS_OUT_OF_RANGE = N_("Hours must be a number between 0 and 2,400, like 7.5")
CARE_OUT_OF_ORDER = N_("The end of the care period must be the same as or after the start")
CARE_TOO_LONG = N_("The care period must be 92 days or fewer")
ISSUED_IN_FUTURE = N_("The invoice date must be today or in the past")
NO_LINES = N_("Add at least one line")
TOO_MANY_LINES = N_("An invoice must have 50 lines or fewer")


_HOURS = re.compile(r"[0-9]{1,4}(\.[0-9]{1,2})?")


def parse_hours(text: str) -> Decimal:
    """Hours as typed: ASCII digits with up to two places ("7.5"), nothing Decimal() would also
    take ("1e3", "1_0", "١٢٠", "Infinity"). ``InvalidOperation`` otherwise."""
    text = text.strip()
    if not _HOURS.fullmatch(text):
        raise InvalidOperation(text)
    return Decimal(text)


def invoice_number_problem(number: str) -> str | None:
    number = number.strip()
    if not number:
        return ENTER_INVOICE_NUMBER
    if len(number) > MAX_INVOICE_NUMBER:
        return INVOICE_NUMBER_TOO_LONG
    return None


def description_problem(description: str) -> str | None:
    description = description.strip()
    if not description:
        return ENTER_DESCRIPTION
    if len(description) > MAX_DESCRIPTION:
        return DESCRIPTION_TOO_LONG
    return None


def amount_problem(amount_pence: object) -> str | None:
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
        return AMOUNT_NOT_WHOLE_PENCE
    if amount_pence <= 0:
        return AMOUNT_TOO_SMALL
    if amount_pence > MAX_AMOUNT_PENCE:
        return AMOUNT_TOO_LARGE
    return None


def hours_problem(hours: Decimal | None) -> str | None:
    if hours is None:
        return None
    if not hours.is_finite() or not (0 <= hours <= MAX_HOURS):
        return HOURS_OUT_OF_RANGE
    exponent = hours.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -HOURS_PLACES:
        return HOURS_OUT_OF_RANGE
    return None


def care_period_problem(care_from: date, care_to: date) -> str | None:
    if care_from > care_to:
        return CARE_OUT_OF_ORDER
    if days_inclusive(care_from, care_to) > MAX_CARE_DAYS:
        return CARE_TOO_LONG
    return None


def lines_problem(count: int) -> str | None:
    if count == 0:
        return NO_LINES
    if count > MAX_LINES:
        return TOO_MANY_LINES
    return None
