"""Formats a provider's identifiers must have. Pure; messages are in GOV.UK wording."""

from __future__ import annotations

import re

import ukmodulus

from config.errors import N_
from providers.models import Regulator

# shared/UC-RULES.md: DfE's own validator for Ofsted numbers; Care Inspectorate numbers seen as
# CS plus 10 digits; Wales and approved schemes publish no format, so up to 20 letters and digits
# (as HMRC's Tax-Free Childcare API accepts for any regulator reference).
REGISTRATION_FORMATS: dict[Regulator, tuple[re.Pattern[str], str]] = {
    Regulator.OFSTED: (
        re.compile(r"^(EY|VC)[0-9]{6}$|^[0-9]{6,8}$"),
        N_("Enter an Ofsted URN in the correct format, like EY123456 or 2512345"),
    ),
    Regulator.CARE_INSPECTORATE_SCOTLAND: (
        re.compile(r"^CS[0-9]{10}$"),
        N_("Enter a Care Inspectorate service number in the correct format, like CS2003012345"),
    ),
    Regulator.CARE_INSPECTORATE_WALES: (
        re.compile(r"^[A-Z0-9]{1,20}$"),
        N_("Enter a Care Inspectorate Wales registration number using up to 20 letters and numbers"),
    ),
    Regulator.APPROVED_SCHEME: (
        re.compile(r"^[A-Z0-9]{1,20}$"),
        N_("Enter the approval number using up to 20 letters and numbers"),
    ),
}

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_registration_number(regulator: Regulator, text: str) -> str:
    cleaned = re.sub(r"\s+", "", text or "").upper()
    if not cleaned:
        raise ValueError("Enter the registration number")
    pattern, message = REGISTRATION_FORMATS[regulator]
    if not pattern.match(cleaned):
        raise ValueError(message)
    return cleaned


def normalise_postcode(text: str) -> str:
    cleaned = re.sub(r"\s+", " ", (text or "").strip().upper())
    if not cleaned:
        raise ValueError("Enter a postcode")
    match = _POSTCODE.match(cleaned)
    if not match:
        raise ValueError(N_("Enter a real postcode, like SW1A 2AA"))
    return f"{match.group(1)} {match.group(2)}"


def normalise_sort_code(text: str) -> str:
    cleaned = re.sub(r"[\s-]", "", text or "")
    if not cleaned:
        raise ValueError("Enter a sort code")
    if not re.fullmatch(r"[0-9]{6}", cleaned):
        raise ValueError(N_("Enter a valid sort code like 309430"))
    return cleaned


def normalise_account_number(text: str) -> str:
    cleaned = re.sub(r"[\s-]", "", text or "")
    if not cleaned:
        raise ValueError("Enter an account number")
    if not re.fullmatch(r"[0-9]{6,8}", cleaned):
        raise ValueError(N_("Enter a valid account number like 00733445"))
    return cleaned.zfill(8)


def passes_modulus_check(sort_code: str, account_number: str) -> bool:
    """Pay.UK's modulus check (VocaLink weight table and substitutions) through ``ukmodulus``.

    ``ukmodulus`` ships the 2017 edition of ``valacdos.txt`` and ``scsubtab.txt``. A pass means
    only that the pair could exist, not that the account is open or in the provider's name; a
    sort code the table does not list passes (the check cannot say), so a bank opened since 2017
    is never refused. A current table can be dropped into the package's data directory.
    """
    return bool(ukmodulus.validate_number(sort_code, account_number))
