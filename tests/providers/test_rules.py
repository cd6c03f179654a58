from __future__ import annotations

import pytest

from providers.models import Regulator
from providers.rules import (
    normalise_account_number,
    normalise_postcode,
    normalise_registration_number,
    normalise_sort_code,
)


@pytest.mark.parametrize(
    ("regulator", "text", "expected"),
    [
        (Regulator.OFSTED, "ey123456", "EY123456"),
        (Regulator.OFSTED, "2512345", "2512345"),
        (Regulator.OFSTED, "VC 123456", "VC123456"),
        (Regulator.CARE_INSPECTORATE_SCOTLAND, "CS2003012345", "CS2003012345"),
        (Regulator.CARE_INSPECTORATE_WALES, "siN0012345", "SIN0012345"),
    ],
)
def test_registration_numbers_in_each_regulators_format(
    regulator: Regulator, text: str, expected: str
) -> None:
    assert normalise_registration_number(regulator, text) == expected


@pytest.mark.parametrize(
    ("regulator", "text"),
    [
        (Regulator.OFSTED, "EY12345"),
        (Regulator.OFSTED, "AB123456"),
        (Regulator.OFSTED, "123456789"),
        (Regulator.CARE_INSPECTORATE_SCOTLAND, "CS123"),
        (Regulator.CARE_INSPECTORATE_WALES, "A" * 21),
        (Regulator.APPROVED_SCHEME, "no-dashes"),
    ],
)
def test_registration_numbers_in_the_wrong_format_are_refused(regulator: Regulator, text: str) -> None:
    with pytest.raises(ValueError, match="Enter"):
        normalise_registration_number(regulator, text)


def test_postcodes_sort_codes_and_account_numbers_are_normalised() -> None:
    assert normalise_postcode(" sw1a2aa ") == "SW1A 2AA"
    assert normalise_sort_code("08-99-99") == "089999"
    assert normalise_account_number("733445") == "00733445"
    for bad, function in (
        ("SW1A", normalise_postcode),
        ("12345", normalise_sort_code),
        ("12345", normalise_account_number),
    ):
        with pytest.raises(ValueError):
            function(bad)
