"""gunicorn settings for production: ``gunicorn wsgi:app`` reads this file from the working directory.

Several web processes share nothing but PostgreSQL (and Redis for rate-limit counters); the
scheduler runs as its own single process (``flask --app wsgi scheduler run``), never inside these.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 30  # a request that takes longer is a bug: spreadsheet uploads send in the background
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then
max_requests_jitter = 200
preload_app = False  # each worker makes its own database engine after the fork
accesslog = None  # the app logs every request as JSON with its request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server) -> None:  # gunicorn calls it with its Arbiter
    """Refuse to start (exit 1, before any worker forks) when rate limits would not hold across
    the workers: production with more than one worker and no REDIS_URL, or a REDIS_URL that does
    not answer."""
    from config.limits import check_shared_store
    from config.settings import Settings

    check_shared_store(Settings.from_environment(), server.cfg.workers)
