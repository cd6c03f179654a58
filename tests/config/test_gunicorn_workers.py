"""Four real gunicorn workers (``gunicorn -w 4``, the project's gunicorn.conf.py) against the
test database: what must be shared across web processes is shared.

- the development identity provider: a code issued by one worker is redeemed at another, so a
  full parent sign-in over HTTP succeeds every time;
- rate limits with REDIS_URL: the per-address and per-account sign-in limits count every
  worker's requests together;
- production refuses to start more than one worker without a shared store, or with one that
  does not answer.

Every request goes on a new connection (``Connection: close``), so the workers take turns; the
access log shows which worker answered each.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from tests.conftest import ON_POSTGRES
from tests.gunicorn_server import gunicorn, run_to_exit
from tests.http import User

REDIS = "redis://127.0.0.1:6379/13"  # a database of its own: the per-address counter is 127.0.0.1's


def browser(url: str) -> User:
    user = User(url)
    user.http.headers["Connection"] = "close"  # each request may meet another worker
    return user


def test_a_parent_signs_in_every_time_through_four_workers(tmp_path: Path, session, settings) -> None:
    with gunicorn(tmp_path, settings.database_url, workers=4) as served:
        for attempt in range(10):
            user = browser(served.url)
            page = user.get("/account/sign-in")
            assert urlsplit(page.url).path == "/dev-identity/authorize", attempt
            email = f"parent-{attempt}-{uuid.uuid4().hex[:8]}@example.com"
            landed = user.submit(page, "Sign in", name=f"Parent {attempt}", email=email)
            assert landed.status_code == 200, (attempt, landed.status_code, landed.text[:300])
            assert urlsplit(landed.url).path == "/account/claim", attempt
            assert "Link your Universal Credit claim" in landed.text
    provider_side = served.served_by("/dev-identity/")  # read once gunicorn has stopped and flushed its log
    assert len(provider_side) >= 10 * 3  # authorize twice and the token endpoint for each sign-in
    assert all(status < 400 for _pid, _path, status in provider_side)
    # Codes were issued and redeemed by different workers: the state really is shared.
    assert len({pid for pid, _path, _status in provider_side}) >= 2


def test_sign_in_limits_per_address_and_per_account_hold_across_four_workers_with_redis(
    tmp_path: Path, session, settings
) -> None:
    store = redis.Redis.from_url(REDIS)
    store.flushdb()
    limits = {
        "REDIS_URL": REDIS,
        "RATE_LIMIT_SIGN_IN": "8 per minute",
        "RATE_LIMIT_SIGN_IN_ACCOUNT": "3 per minute",
    }
    try:
        with gunicorn(tmp_path, settings.database_url, workers=4, **limits) as served:
            user = browser(served.url)
            form = user.get("/provider/sign-in")  # 1 of the address's 8
            tries = [
                user.submit(form, "Sign in", email="same@nursery.example", password="wrong password")
                for _ in range(4)  # 2-5
            ]
            assert [answer.status_code for answer in tries] == [400, 400, 400, 429]
            assert "Too many attempts to sign in to this account" in tries[-1].text
            assert int(tries[-1].headers["Retry-After"]) >= 1
            other = user.submit(form, "Sign in", email="other@nursery.example", password="wrong password")
            assert other.status_code == 400  # 6: another account still has its own attempts
            pages = [user.get("/provider/sign-in").status_code for _ in range(3)]  # 7, 8, 9
            assert pages == [200, 200, 429]
        answered = served.served_by("/provider/sign-in")  # once gunicorn has stopped and flushed its log
        assert len(answered) == 9
        assert len({pid for pid, _path, _status in answered}) >= 2  # counted together across workers
    finally:
        store.flushdb()


def _production(database_url: str, **overrides: str) -> dict[str, str]:
    return {
        "APP_ENV": "production",
        "DEV_IDENTITY_PROVIDER": "",
        "SECRET_KEY": "production-secret-key-that-is-long-enough-0123456789",
        "BACS_SERVICE_USER_NUMBER": "123456",  # production refuses the development Bacs details
        "BACS_SORT_CODE": "200000",
        "BACS_ACCOUNT_NUMBER": "12345678",
        "CLAIM_SYSTEM": "http",  # production reads claims from DWP's claim system (never called here)
        "CLAIM_SYSTEM_URL": "https://claims.dwp.example",
        "CLAIM_SYSTEM_TOKEN": "claim-system-token-that-is-long-enough",
        "DATABASE_URL": database_url
        if ON_POSTGRES
        else "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        **overrides,
    }


def test_production_refuses_more_than_one_worker_without_redis(settings) -> None:
    status, output = run_to_exit(settings.database_url, workers=4, **_production(settings.database_url))
    assert status != 0
    assert "production with 4 web workers needs REDIS_URL" in output


def test_production_refuses_a_redis_that_does_not_answer(settings) -> None:
    unreachable = "redis://127.0.0.1:1/0"
    status, output = run_to_exit(
        settings.database_url, workers=4, **_production(settings.database_url, REDIS_URL=unreachable)
    )
    assert status != 0 and "REDIS_URL does not answer" in output


@pytest.mark.parametrize("workers, redis_url", [(1, ""), (4, REDIS)])
def test_production_starts_with_one_worker_or_with_redis(
    tmp_path: Path, settings, workers, redis_url
) -> None:
    env = _production(settings.database_url, REDIS_URL=redis_url)
    with gunicorn(tmp_path, env.pop("DATABASE_URL"), workers=workers, **env) as served:
        assert browser(served.url).get("/healthz").status_code == 200
