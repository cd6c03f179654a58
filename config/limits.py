"""Rate limits (Flask-Limiter): sign-in, the token endpoint and the API answer 429 with Retry-After.

Counters live in Redis when ``REDIS_URL`` is set (shared by every web process), else in memory
(one process: development and tests). API calls are counted per access token, other routes per
client address; nursery sign-in is also counted per account (``take_quota``), whichever address
the attempts come from.

Counters in memory are per process: with four gunicorn workers a limit of 20 would let 80
through. So production refuses to start more than one worker without ``REDIS_URL``
(``check_shared_store``, called by gunicorn.conf.py before any worker starts), and every process
refuses to start when the Redis it is given does not answer.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import storage_from_string

from config.errors import TooManyRequests
from config.settings import Settings


def _caller_key() -> str:
    """The access token (hashed) for API calls, so one nursery's software never starves another."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
    return "addr:" + get_remote_address()


class SharedStoreMissing(RuntimeError):
    """The rate-limit counters would not be shared, or the shared store does not answer."""


def check_shared_store(settings: Settings, workers: int) -> None:
    """Production with more than one web worker needs ``REDIS_URL``; a ``REDIS_URL`` given must
    answer (in any environment). Raises ``SharedStoreMissing`` saying which."""
    if settings.is_production and workers > 1 and not settings.redis_url:
        raise SharedStoreMissing(
            f"production with {workers} web workers needs REDIS_URL: rate-limit counters kept in each "
            "worker's memory would let every worker allow the whole limit"
        )
    if settings.redis_url and not storage_from_string(settings.redis_url).check():
        raise SharedStoreMissing("REDIS_URL does not answer: rate-limit counters cannot be shared")


def init_limits(app: Flask, settings: Settings) -> Limiter:
    if settings.redis_url:
        check_shared_store(settings, workers=1)  # each worker: its Redis must answer
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        headers_enabled=True,
        strategy="moving-window",
    )
    app.extensions["ccd_limiter"] = limiter
    return limiter


def take_quota(name: str, counters: Sequence[tuple[str, str]], message: str) -> None:
    """Count one use of each ``(key, limit)`` of quota ``name`` if every one has room, else raise
    ``TooManyRequests`` (429, with the seconds until the fullest frees up) and count nothing.

    For quotas that are not per address or per token (consent requests per provider and per
    parent address). Keys are hashed: no email address is written to Redis.
    """
    strategy = current_app.extensions["ccd_limiter"].limiter
    items = [(parse(limit), hashlib.sha256(key.encode()).hexdigest()) for key, limit in counters]
    for item, key in items:
        if not strategy.test(item, "quota", name, key):
            reset_at, _remaining = strategy.get_window_stats(item, "quota", name, key)
            raise TooManyRequests(message, retry_after=int(reset_at - time.time()) + 1)
    for item, key in items:
        strategy.hit(item, "quota", name, key)


def limit_views(
    app: Flask, limiter: Limiter, endpoints: list[str], limit: str, *, per_token: bool = False
) -> None:
    """Apply ``limit`` to the registered views named by ``endpoints``."""
    for endpoint in endpoints:
        view = app.view_functions[endpoint]
        limited = limiter.limit(limit, key_func=_caller_key if per_token else None)(view)
        app.view_functions[endpoint] = limited  # type: ignore[assignment]
