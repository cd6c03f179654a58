"""Recovery codes: for signing in when the authenticator app is lost.

Ten random codes (60 bits each) are shown once, when the second factor is set up or the codes
are replaced; only keyed hashes (HMAC-SHA256 with the app's secret key) are stored. Each works
once, in place of a security code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from config import settings
from providers.security_models import RecoveryCode

COUNT = 10
GROUPS, GROUP_LENGTH = 3, 4
# No 0/O, 1/I: codes are copied by hand from paper.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def normalise(code: str) -> str:
    """What was typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_recovery_code(code: str) -> bool:
    """A recovery code has 12 letters and digits; a security code is 6 digits."""
    plain = normalise(code)
    return len(plain) == GROUPS * GROUP_LENGTH and not plain.isdigit()


def _hash(code: str) -> str:
    key = ("recovery:" + settings.current().secret_key).encode()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def replace_codes(session: Session, user_id: uuid.UUID) -> list[str]:
    """New codes for the user, in the caller's transaction; the old ones stop working."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = [
        "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
        for _ in range(COUNT)
    ]
    session.add_all(RecoveryCode(id=uuid.uuid4(), user_id=user_id, code_hash=_hash(code)) for code in codes)
    return codes


def use_code(session: Session, user_id: uuid.UUID, code: str, now: datetime) -> bool:
    """Spend one of the user's unused codes, in the caller's transaction: True once per code.

    One conditional UPDATE, so two requests racing with the same code cannot both win."""
    spent = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return spent.rowcount == 1  # type: ignore[attr-defined]


def codes_left(session: Session, user_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
