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
    if target not in allowed.get(current, frozenset()):
        raise InvalidTransition(f"A {noun} that is {human(current)} cannot become {human(target)}")
    entity.status = target
    return current
