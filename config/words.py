"""One place that turns the service's machine names into words people read.

States, audit events, flags, reasons, regulators and roles are stored as machine names
(``on_hold``, ``invoice.on_hold``, ``care_inspectorate_scotland``). Each package keeps the words
for its own names in its ``labels.py`` and registers them here under a kind (``register``); pages
turn a name into words with the ``words`` filter: ``{{ invoice.status | words("invoice_status_staff") }}``.

A name with no words is shown as it is and logged: a page never breaks over a missing word, and the
page checks in the suite (tests/page_checks.py) fail any page that shows one, as the coverage test
(tests/config/test_words.py) fails any state or audit event that has none.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import Enum
from typing import Any

logger = logging.getLogger(__name__)

_WORDS: dict[str, dict[str, Any]] = {}


def register(kind: str, words: Mapping[Any, Any]) -> None:
    """Add ``words`` (machine name or enum member -> words) to ``kind``."""
    into = _WORDS.setdefault(kind, {})
    for name, text in words.items():
        into[_name(name)] = text


def kinds() -> dict[str, dict[str, Any]]:
    return {kind: dict(names) for kind, names in _WORDS.items()}


def words(name: Any, kind: str) -> str:
    """The words for ``name`` of ``kind``; the name itself (logged) when it has none."""
    if name is None:
        return ""
    key = _name(name)
    text = _WORDS.get(kind, {}).get(key)
    if text is None:
        logger.warning("no words for %s %r", kind, key)
        return key
    return str(text)


def _name(name: Any) -> str:
    return str(name.value) if isinstance(name, Enum) else str(name)
