"""Benchmark of the batch import against the real register: read + validate a 1,500-row
addition file with the database lookups (persons, pension holders, retirement months) on the
configured database — by default the demo SQLite file that `make run` fills with 20,000
persons. Run `make run` (or `manage.py seed_demo`) once first.

    .venv/bin/python -m bench.batch_validate_db [--rows 1500] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from bench.batch_validate import addition_file  # noqa: E402
from shebao.core.actors import Actor  # noqa: E402
from shebao.core.models import Channel, Staff  # noqa: E402
from shebao.registry.batch_import import batch_validate  # noqa: E402
from shebao.registry.demo import demo_employer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    clerk = Staff.objects.select_related("user").get(user__username="clerk_maojian")
    actor = Actor(user=clerk.user, channel=Channel.COUNTER)
    employer = demo_employer("十堰市示范超市有限公司")
    data = addition_file(args.rows)
    timings = []
    for _run in range(args.runs):
        started = time.perf_counter()
        validation = batch_validate(
            actor=actor, employer=employer, data=data, kind="addition", today=timezone.localdate()
        )
        timings.append(time.perf_counter() - started)
    median = statistics.median(timings)
    print(f"database: {django.db.connection.vendor}; register of the demo data")
    print(f"valid {len(validation.valid_rows)}, rows with errors {validation.rows_with_errors}")
    print(f"batch_validate over {args.runs} runs: best {min(timings):.3f} s, median {median:.3f} s")
    print(f"throughput: {args.rows / median:,.0f} rows/s (median run)")


if __name__ == "__main__":
    main()
