"""National Insurance numbers: checked, then kept only as a keyed hash and the last characters."""

from __future__ import annotations

import hashlib
import hmac
import re

from config.errors import N_

_FORMAT = re.compile(r"^([A-Z]{2})([0-9]{6})([A-D])$")
_NEVER_FIRST_OR_SECOND = set("DFIQUV")
_NEVER_ISSUED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def normalise_nino(text: str) -> str:
    """``qq 12 34 56 c`` → ``QQ123456C``; ``ValueError`` with GOV.UK wording when it cannot be one."""
    cleaned = re.sub(r"\s+", "", text or "").upper()
    if not cleaned:
        raise ValueError(N_("Enter a National Insurance number"))
    match = _FORMAT.match(cleaned)
    prefix = match.group(1) if match else ""
    if (
        not match
        or prefix[0] in _NEVER_FIRST_OR_SECOND
        or prefix[1] in _NEVER_FIRST_OR_SECOND
        or prefix[1] == "O"
        or prefix in _NEVER_ISSUED_PREFIXES
    ):
        raise ValueError(N_("Enter a National Insurance number in the correct format, like QQ 12 34 56 C"))
    return cleaned


def nino_hash(nino: str, key: bytes) -> str:
    return hmac.new(key, normalise_nino(nino).encode(), hashlib.sha256).hexdigest()


def nino_last(nino: str) -> str:
    return normalise_nino(nino)[-4:]
