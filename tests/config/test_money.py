from __future__ import annotations

import pytest

from config.money import MoneyFormatError, format_pence, parse_pounds


@pytest.mark.parametrize(
    ("pence", "text"), [(0, "£0.00"), (5, "£0.05"), (123456, "£1,234.56"), (-250, "-£2.50")]
)
def test_format_pence(pence: int, text: str) -> None:
    assert format_pence(pence) == text


def test_format_pence_refuses_floats() -> None:
    with pytest.raises(TypeError):
        format_pence(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "pence"),
    [("12", 1200), ("£1,234.5", 123450), (" 0.07 ", 7), ("950.00", 95000), ("12,345,678.90", 1234567890)],
)
def test_parse_pounds(text: str, pence: int) -> None:
    assert parse_pounds(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount"),
        ("-3", "Amount must be £0 or more"),
        ("1.234", "Amount must not have more than 2 decimal places"),
        ("twelve", "Amount must be a number, like 12.50"),
        ("1e5", "Amount must be a number, like 12.50"),
        # A decimal comma is refused rather than read as thousands (it was £95,000).
        ("950,00", "with a full stop before the pence"),
        ("1,2345.00", "with a full stop before the pence"),
        ("-3,000", "with a full stop before the pence"),
    ],
)
def test_parse_pounds_refuses_what_is_not_an_amount(text: str, message: str) -> None:
    with pytest.raises(MoneyFormatError, match=message):
        parse_pounds(text)
