"""Hostile input is refused at the door, with a clear 4xx, before any view or database sees it.

- Size: a body over ``MAX_REQUEST_BYTES`` (``MAX_UPLOAD_BYTES`` on the spreadsheet upload)
  answers 413. Werkzeug refuses a too-long ``Content-Length`` before reading anything, and stops
  reading a chunked body with no length as soon as it passes the limit.
- Text: query strings, form fields, headers and the decoded Authorization header holding
  control characters (NUL and the like, which PostgreSQL cannot store and nobody types)
  answer 400.
- JSON (the API's bodies, through ``strict_loads``): UTF-8 only; at most ``MAX_DEPTH`` levels of
  nesting (checked before parsing, so 100,000 levels cost one scan, not a stack); numbers of at
  most ``MAX_NUMBER_DIGITS`` digits and never NaN or Infinity; strings with no control
  characters and no lone surrogates (``"\\ud800"``, which cannot be stored or written back as
  UTF-8); no key twice in one object. Each problem names its field
  (``lines[0].description``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from config.errors import FieldError, MalformedRequest
from config.settings import Settings

MAX_DEPTH = 32
MAX_NUMBER_DIGITS = 30
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A JSON string (escapes and all) or a bracket: enough to measure nesting without parsing.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPENING, _CLOSING = frozenset("[{"), frozenset("]}")
BODY = "body"
HIDDEN_IN_FIELD = "%(field)s must not contain hidden characters, such as a null character"


class HostileInput(MalformedRequest):
    """Input no person types and no program should send: 400, naming each field."""

    code = "invalid_input"
    title = "There is a problem with what was sent"


def init_request_guard(app: Flask, settings: Settings, upload_endpoints: Iterable[str]) -> None:
    """Limit every body's size and refuse control characters in query strings and forms.

    Runs before every other ``before_request`` (CSRF reads the form), so the limit holds first.
    """
    uploads = frozenset(upload_endpoints)
    app.config["MAX_CONTENT_LENGTH"] = max(settings.max_request_bytes, settings.max_upload_bytes)

    def guard() -> None:
        limit = settings.max_upload_bytes if request.endpoint in uploads else settings.max_request_bytes
        request.max_content_length = limit
        if request.content_length is None and "wsgi.input_terminated" in request.environ:
            _read_chunked_body(limit)
        names = [
            _CONTROL.sub("?", name)
            for source in (request.args, request.form)
            for name, value in source.items(multi=True)
            if _CONTROL.search(value) or _CONTROL.search(name)
        ]
        names += [name for name, value in request.headers.items() if _CONTROL.search(value)]
        if _hidden_in_credentials():
            names.append("Authorization")
        if names:
            raise HostileInput(
                _("What you sent contains a hidden character that cannot be used. Remove it and try again."),
                errors=[FieldError(name, _(HIDDEN_IN_FIELD, field=name)) for name in names],
            )

    app.before_request_funcs.setdefault(None, []).insert(0, guard)


def _read_chunked_body(limit: int) -> None:
    """Read a body sent with no length (chunked) now, one byte past ``limit`` at most.

    Werkzeug stops such a stream at the limit without saying so (the view would see the body
    cut short, not a 413), so read it here: more than ``limit`` bytes is a 413; otherwise the
    body is kept for the view and the form parser.
    """
    request.max_content_length = limit + 1
    size = len(request.get_data(cache=True))
    request.max_content_length = limit
    if size > limit:
        raise RequestEntityTooLarge()


def _hidden_in_credentials() -> bool:
    """Whether the decoded Authorization header (a Basic user name, say) holds a control character."""
    authorization = request.authorization
    if authorization is None:
        return False
    values = [authorization.token or "", *authorization.parameters.values()]
    return any(_CONTROL.search(value or "") for value in values)


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]


class _Unusable:
    """A number that parsed but cannot be used; ``message`` says why."""

    def __init__(self, message: str) -> None:
        self.message = message


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    found = _Object()
    found.duplicates = []
    for key, value in pairs:
        if key in found and key not in found.duplicates:
            found.duplicates.append(key)
        found[key] = value
    return found


def _integer(text: str) -> int | _Unusable:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        return _Unusable(f"must be a number of {MAX_NUMBER_DIGITS} digits or fewer")
    return int(text)


def _real(text: str) -> float | _Unusable:
    number = float(text)
    if len(text) > MAX_NUMBER_DIGITS or number in (float("inf"), float("-inf")):
        return _Unusable(f"must be a number of {MAX_NUMBER_DIGITS} digits or fewer")
    return number


def _constant(text: str) -> _Unusable:
    return _Unusable(f"must be a number ({text} is not one in JSON)")


def nesting_depth(text: str) -> int:
    """How deeply ``text``'s arrays and objects nest (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        found = match.group()
        if found in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif found in _CLOSING:
            depth -= 1
    return deepest


def strict_loads(raw: bytes) -> Any:
    """The JSON document in ``raw``, or ``HostileInput`` naming every field that breaks a rule."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _body_problem("The body must be JSON encoded as UTF-8") from exc
    if nesting_depth(text) > MAX_DEPTH:
        raise _body_problem(f"The body must not nest arrays and objects more than {MAX_DEPTH} levels deep")
    try:
        document = json.loads(
            text, object_pairs_hook=_object, parse_int=_integer, parse_float=_real, parse_constant=_constant
        )
    except (ValueError, RecursionError) as exc:
        raise _body_problem(f"The body is not valid JSON: {exc}") from exc
    problems: list[FieldError] = []
    _check(document, "", problems)
    if problems:
        raise HostileInput("The request is not valid: see errors", errors=problems)
    return document


def _body_problem(message: str) -> HostileInput:
    return HostileInput(message, errors=[FieldError(BODY, message)])


def _check(value: Any, path: str, problems: list[FieldError]) -> None:
    """Collect the problems of ``value`` (found at ``path``) and of everything inside it."""
    where = path or BODY
    if isinstance(value, _Unusable):
        problems.append(FieldError(where, f"{where} {value.message}"))
    elif isinstance(value, str):
        if (wrong := text_problem(value)) is not None:
            problems.append(FieldError(where, f"{where} {wrong}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]", problems)
    elif isinstance(value, dict):
        for key in getattr(value, "duplicates", []):
            if text_problem(key) is not None:
                continue  # reported below, without writing the unusable name back
            name = _join(path, key)
            problems.append(FieldError(name, f"{name} must be given only once"))
        for key, item in value.items():
            if (wrong := text_problem(key)) is not None:
                problems.append(FieldError(where, f"A field name in {where} {wrong}"))
                continue
            _check(item, _join(path, key), problems)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be used as text, if it cannot."""
    if _CONTROL.search(text):
        return "must not contain hidden characters, such as a null character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid text (it contains a lone surrogate, such as \\ud800)"
    return None
