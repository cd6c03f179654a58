"""Bacs Standard 18 (``invoicing.rails.bacs``): the file's layout and control totals, working days."""

from __future__ import annotations

from datetime import date

import pytest

from invoicing.rails import bacs

ORIGIN = bacs.Originator("123456", "200000", "12345678", "DWP CHILDCARE DIRECT")


def test_a_file_has_labels_one_credit_per_payment_a_contra_and_control_totals() -> None:
    credits = [
        bacs.Credit("089999", "66374958", "Little Acorns Ltd", 80_750, "CCD 1234ABCD"),
        bacs.Credit("107999", "88837491", "Sunny Days & Co.", 100, "CCD 99"),
    ]
    text = bacs.standard18(
        ORIGIN, credits, serial=7, created=date(2026, 12, 24), processing=date(2026, 12, 29)
    )
    lines = text.split("\r\n")[:-1]
    assert [line[:4] for line in lines[:4]] == ["VOL1", "HDR1", "HDR2", "UHL1"]
    assert [line[:4] for line in lines[-3:]] == ["EOF1", "EOF2", "UTL1"]
    assert all(len(line) == 80 for line in lines[:4] + lines[-3:])
    data = lines[4:-3]
    assert [len(line) for line in data] == [100, 100, 100]
    first, contra = data[0], data[-1]
    assert (first[0:6], first[6:14], first[14], first[15:17]) == ("089999", "66374958", "0", "99")
    assert (first[17:23], first[23:31], first[35:46]) == ("200000", "12345678", "00000080750")
    assert first[64:82].rstrip() == "CCD 1234ABCD" and first[82:100].rstrip() == "LITTLE ACORNS LTD"
    assert (contra[15:17], contra[35:46]) == ("17", "00000080850")  # debits DWP for the total
    assert lines[3][4:10] == " 26363"  # processing day, Julian: 29 December 2026
    assert "VOL1000007" in lines[0] and "123456" in lines[0]
    parsed = bacs.parse(text)
    assert (parsed.debit_total, parsed.credit_total, parsed.credit_count) == (80_850, 80_850, 2)
    assert [c.amount_pence for c in parsed.credits] == [80_750, 100]


def test_only_bacs_characters_reach_the_file() -> None:
    # Accents come off (é → E) and apostrophes go, rather than leaving gaps in a payee's name.
    assert bacs.clean("Café Ltd (No. 1) £", 18) == "CAFE LTD NO. 1    "
    assert bacs.clean("O’Neill’s Nursery", 18) == "ONEILLS NURSERY   "
    with pytest.raises(ValueError):
        bacs.standard18(ORIGIN, [], serial=1, created=date(2026, 1, 5), processing=date(2026, 1, 7))
    with pytest.raises(ValueError):
        bacs.standard18(
            ORIGIN,
            [bacs.Credit("1", "2", "x", 0, "r")],
            serial=1,
            created=date(2026, 1, 5),
            processing=date(2026, 1, 7),
        )


@pytest.mark.parametrize(
    ("sent", "processing"),
    [
        (date(2026, 11, 23), date(2026, 11, 24)),  # Monday → Tuesday
        (date(2026, 11, 27), date(2026, 11, 30)),  # Friday → Monday
        (date(2026, 12, 24), date(2026, 12, 29)),  # Christmas, Boxing Day moved to Monday 28th
        (date(2026, 4, 2), date(2026, 4, 7)),  # Good Friday 3 April, Easter Monday 6 April
        (date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day
    ],
)
def test_the_processing_day_skips_weekends_and_england_and_wales_bank_holidays(
    sent: date, processing: date
) -> None:
    assert bacs.processing_day(sent) == processing
    assert bacs.is_bacs_day(bacs.entry_day(processing))
