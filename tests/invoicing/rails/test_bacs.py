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


def test_the_labels_field_by_field_with_awkward_names() -> None:
    """Each label's fields where the banks' Standard 18 guides put them (1-based positions in the
    comments), for a file with names a bank would refuse as they were typed."""
    origin = bacs.Originator("654321", "200000", "12345678", "DWP Childcare Direct")
    credits = [
        bacs.Credit("089999", "66374958", "Crèche Zoë & Frères", 12_345, "CCD AAAA"),
        bacs.Credit("107999", "88837491", "O'Brien’s Nursery (Ltd)", 100, "CCD BBBB"),
    ]
    text = bacs.standard18(
        origin, credits, serial=1234, created=date(2026, 12, 1), processing=date(2026, 12, 3), file_number=2
    )
    vol, hdr1, hdr2, uhl, *data, eof1, eof2, utl = text.split("\r\n")[:-1]
    assert vol[0:4] == "VOL1" and vol[4:10] == "001234"  # 5-10 serial
    assert vol[41:47] == "654321" and vol[79] == "1"  # 42-47 owner (SUN); 80 label standard
    assert hdr1[0:5] == "HDR1A" and hdr1[5:11] == "654321" and hdr1[11:15] == "S  1"  # file id
    assert hdr1[15:21] == "654321" and hdr1[21:27] == "001234"  # 16-21 SUN, 22-27 set id
    assert hdr1[27:35] == "00010001" and hdr1[35:41] == " " * 6  # section, sequence; blank generation
    assert hdr1[41:47] == " 26335" and hdr1[47:53] == " 26337"  # 42-47 created, 48-53 expiry
    assert hdr1[53] == " " and hdr1[54:60] == "000000"  # 54 accessibility; 55-60 block count, zero-filled
    assert eof1 == "EOF1" + hdr1[4:] and eof2 == "EOF2" + hdr2[4:]
    assert uhl[0:4] == "UHL1" and uhl[4:10] == " 26337" and uhl[10:16] == "999999"
    assert uhl[28:37] == "1 DAILY  " and uhl[37:40] == "002"  # 38-40: the day's second file
    first, second, contra = data
    assert first[82:100] == "CRECHE ZOE & FRERE"  # accents off, cut at 18
    assert second[82:100] == "OBRIENS NURSERY LT"  # apostrophes dropped, brackets gone
    assert first[46:64] == "DWP CHILDCARE DIRE" and contra[64:82].rstrip() == "CONTRA"
    assert utl[4:17] == f"{12_445:013d}" and utl[17:30] == f"{12_445:013d}"
    assert utl[30:37] == "0000001" and utl[37:44] == "0000002"  # one debit, two credits


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"account_name": "雅子"}, "no letters or digits"),
        ({"account_name": "  "}, "no letters or digits"),
        ({"amount_pence": 0}, "1p to"),
        ({"sort_code": "１０７９９９"}, "ASCII digits"),  # 100 characters but 120 bytes
        ({"account_number": "٨٨٨٣٧٤٩١"}, "ASCII digits"),
    ],
)
def test_a_credit_a_bank_would_refuse_is_never_written(change: dict, problem: str) -> None:
    credit = bacs.Credit("089999", "66374958", "Little Acorns", 100, "CCD 1")
    with pytest.raises(ValueError, match=problem):
        bacs.standard18(
            ORIGIN,
            [bacs.Credit(**{**credit.__dict__, **change})],
            serial=1,
            created=date(2026, 12, 1),
            processing=date(2026, 12, 3),
        )


def test_a_file_is_processed_only_on_a_bacs_day() -> None:
    credit = bacs.Credit("089999", "66374958", "Little Acorns", 100, "CCD 1")
    with pytest.raises(ValueError, match="not a Bacs processing day"):
        bacs.standard18(ORIGIN, [credit], serial=1, created=date(2026, 12, 24), processing=date(2026, 12, 25))
