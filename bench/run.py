"""Run every benchmark (``make bench``): each prints its ratio to a baseline measured in the same run.

Needs PostgreSQL on 127.0.0.1:5432 (``BENCH_ADMIN_URL`` to change it); each benchmark makes and
drops its own database. Not part of the tests: the figures go in bench/RESULTS.md by hand.
"""

from __future__ import annotations

import platform
import sys

from bench import api_submit, batch, pages, reconcile


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}")
    benchmarks = (("api", api_submit), ("batch", batch), ("reconcile", reconcile), ("pages", pages))
    chosen = sys.argv[1:] or [name for name, _ in benchmarks]
    for name, module in benchmarks:
        if name in chosen:
            print(f"== {name}")
            module.main()


if __name__ == "__main__":
    main()
