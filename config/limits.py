"""Rate limits (Flask-Limiter): sign-in, the token endpoint and the API answer 429 with Retry-After.

Counters live in Redis when ``REDIS_URL`` is set (shared by every web process), else in memory
(one process: development and tests). API calls are counted per access token, other routes per
client address.
"""

from __future__ import annotations

import hashlib

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from config.settings import Settings


def _caller_key() -> str:
    """The access token (hashed) for API calls, so one nursery's software never starves another."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
    return "addr:" + get_remote_address()


def init_limits(app: Flask, settings: Settings) -> Limiter:
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        headers_enabled=True,
        strategy="moving-window",
    )
    return limiter


def limit_views(
    app: Flask, limiter: Limiter, endpoints: list[str], limit: str, *, per_token: bool = False
) -> None:
    """Apply ``limit`` to the registered views named by ``endpoints``."""
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        limited = limiter.limit(limit, key_func=_caller_key if per_token else None)(view)
        app.view_functions[endpoint] = limited  # type: ignore[assignment]
