"""Nursery staff's passwords: Argon2id hashes (argon2-cffi), the rules for a new one, and a check
that costs the same time whether or not there is a hash to check against."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from config.errors import N_, FieldError, ValidationFailed, Words

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Checked against when there is no account (or no password yet), with the same parameters as every
# real hash, so an unknown email costs the same Argon2 work as a wrong password.
_NOBODY_HASH = _hasher.hash(secrets.token_urlsafe(16))
# The few passwords people pick most; a real service would also check a breached-password list.
_COMMON = frozenset({"password123", "1234567890", "qwertyuiop", "password1234", "letmein123", "childcare1"})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; with no hash, the same work against a dummy hash, then False."""
    try:
        return _hasher.verify(password_hash or _NOBODY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_new_password(password: str, field: str = "password") -> None:
    """A new password: 10 to 128 characters and not one of the most common."""
    problem: str | None = None
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = Words("Password must be %(least)s characters or more", least=MIN_PASSWORD_LENGTH)
    elif len(password) > 128:
        problem = N_("Password must be 128 characters or fewer")
    elif password.lower() in _COMMON:
        problem = N_("Choose a password that is harder to guess")
    if problem:
        raise ValidationFailed("The password is not valid", errors=[FieldError(field, problem)])
