"""Where a person may be sent after signing in: only to a page of this service, never elsewhere.

A ``next`` address comes from the query string, so anyone can write one into a link. Browsers
are lenient: they drop tabs and newlines, read ``\\`` as ``/`` and ``//host`` as another site,
so ``/%09/evil.example/`` becomes ``//evil.example/``. Rather than list what is dangerous, the
rule lists what is allowed: a path of printable ASCII (letters, digits and the punctuation
RFC 3986 allows in a path and a query), starting with exactly one ``/``, whose percent-decoded
path is still a plain path, that names a page of this service a browser can GET, under the
portal's own prefix. Anything else is refused and the caller sends the person to its home page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

MAX_NEXT_LENGTH = 2000
# RFC 3986 pchar (unreserved, sub-delims, ":" and "@", percent escapes) and "/" in the path,
# then an optional query of the same characters and "?". No fragment, space, backslash,
# control character or anything outside ASCII.
_PATH_AND_QUERY = re.compile(r"/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None, *, within: Iterable[str] = ("/",)) -> str | None:
    """``target`` if it is a page of this service under one of the ``within`` prefixes, else None.

    Refused: anything but a single leading ``/`` (``//host``, ``/\\host``, ``https://host``),
    control characters (raw or percent-encoded), backslashes, characters outside printable
    ASCII, dot segments, more than ``MAX_NEXT_LENGTH`` characters, and paths that name no page
    of this service that answers GET.
    """
    if not target or len(target) > MAX_NEXT_LENGTH or not _PATH_AND_QUERY.fullmatch(target):
        return None
    path = target.partition("?")[0]
    decoded = unquote(path)
    if (
        path.startswith("//")
        or decoded.startswith("//")
        or "\\" in decoded
        or _CONTROL.search(decoded)
        or any(segment in {".", ".."} for segment in decoded.split("/"))
    ):
        return None
    if not any(decoded == prefix or decoded.startswith(prefix.rstrip("/") + "/") for prefix in within):
        return None
    return target if _is_a_page(decoded) else None


def _is_a_page(path: str) -> bool:
    """Whether ``path`` matches one of the app's routes for GET (redirects and 404s do not count)."""
    adapter = current_app.url_map.bind("service.invalid")
    try:
        adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return False
    return True
