"""Whitelisted state transitions, shared by every model that has a life cycle."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from config.errors import InvalidTransition


def human(state: StrEnum) -> str:
    return state.value.replace("_", " ")


def move(entity: Any, target: StrEnum, allowed: Mapping[Any, frozenset[Any]], noun: str) -> StrEnum:
    """Set ``entity.status`` to ``target`` if the whitelist allows it; return the old state."""
    current = entity.status
    check(current, target, allowed, noun)
    entity.status = target
    return current


def check(current: StrEnum, target: StrEnum, allowed: Mapping[Any, frozenset[Any]], noun: str) -> None:
    """Refuse a move the whitelist does not allow (for bulk paths that write rows, not objects)."""
    if target not in allowed.get(current, frozenset()):
        raise InvalidTransition(f"A {noun} that is {human(current)} cannot become {human(target)}")
