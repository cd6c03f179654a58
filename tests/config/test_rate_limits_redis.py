"""Rate-limit counters in Redis (REDIS_URL): every web process counts against the same limit."""

from __future__ import annotations

import uuid
from dataclasses import replace

import redis

from config.app import create_app
from config.settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def test_two_web_processes_share_the_sign_in_limit_through_redis(settings: Settings) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # .ci/run checks Redis is up and starts it if not
    client.flushdb()
    shared = replace(settings, redis_url=REDIS_URL, rate_limit_sign_in="3 per minute")
    first, second = create_app(shared), create_app(shared)  # as two gunicorn workers would be
    address = {"REMOTE_ADDR": f"10.9.{uuid.uuid4().int % 250}.1"}
    answers = [
        app.test_client().get("/provider/sign-in", environ_base=address).status_code
        for app in (first, second, first, second)
    ]
    assert answers == [200, 200, 200, 429]
    assert any(b"LIMITER" in key or b"limit" in key.lower() for key in client.keys("*"))
    client.flushdb()
