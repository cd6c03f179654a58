from __future__ import annotations

import pytest

from claimants.nino import nino_hash, nino_last, normalise_nino


def test_a_nino_is_normalised_and_kept_only_as_a_keyed_hash_and_last_characters() -> None:
    assert normalise_nino("jk 12 34 56 c") == "JK123456C"
    assert nino_last("JK 12 34 56 C") == "456C"
    digest = nino_hash("JK123456C", b"key-one")
    assert len(digest) == 64 and "123456" not in digest
    assert digest == nino_hash("jk 123456c", b"key-one")
    assert digest != nino_hash("JK123456C", b"key-two")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "QQ123456C",
        "Q123456C",
        "QQ12345C",
        "QQ123456E",
        "DA123456A",
        "AD123456A",
        "AO123456A",
        "GB123456A",
        "ZZ123456A",
        "NK123456A",
    ],
)
def test_impossible_ninos_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="National Insurance number"):
        normalise_nino(bad)
