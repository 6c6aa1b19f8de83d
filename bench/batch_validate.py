"""Benchmark of the batch import: read + validate an employer's 1,500-row addition file.

The launch report's supermarket registered 1,500 staff at once; issue 5 wants validation of
such a file well under 5 seconds on SQLite-class hardware. The database lookups are stubbed
(one call each per file, so they add a few queries, not per-row work).

    .venv/bin/python -m bench.batch_validate [--rows 1500] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Mapping
from datetime import date, timedelta

from openpyxl import load_workbook

from shebao.core.identifiers import ResidentIdInfo, resident_id_with_check
from shebao.registry.batch import (
    PensionHolder,
    RegisteredPerson,
    batch_template,
    read_batch,
    validate_rows,
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌鑫宇浩然子涵欣怡"
# Shiyan districts and counties, and three Wuhan districts.
AREAS = ("420302", "420303", "420304", "420322", "420381", "420102", "420106", "420111")
SCHEMES = ("养老、失业、工伤", "养老、失业、工伤", "养老、失业、工伤", "养老、工伤")
REASONS = ("新招用", "新招用", "新招用", "转入", "续保")


class TrivialContext:
    """Nobody is registered or insured yet; everyone retires at 60."""

    today = date(2025, 6, 15)

    def persons(self, resident_ids: frozenset[str]) -> Mapping[str, RegisteredPerson]:
        return {}

    def active_pension_holders(self, resident_ids: frozenset[str]) -> Mapping[str, PensionHolder]:
        return {}

    def relations_to_end(self, resident_ids: frozenset[str]) -> Mapping[str, int]:
        return {}

    def retirement_month(self, info: ResidentIdInfo) -> int:
        return (info.birth_date.year + 60) * 100 + info.birth_date.month


def addition_file(rows: int, seed: int = 5) -> bytes:
    """The addition template filled with ``rows`` distinct staff, as an employer would."""
    rng = random.Random(seed)
    workbook = load_workbook(io.BytesIO(batch_template("addition")))
    sheet = workbook.worksheets[0]
    for serial in range(rows):
        born = date(1970, 1, 1) + timedelta(days=rng.randrange(35 * 365))
        # The serial makes every ID distinct; its last digit's parity is the holder's sex.
        body = f"{rng.choice(AREAS)}{born:%Y%m%d}{serial % 1000:03d}"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        sheet.append(
            [
                resident_id_with_check(body),
                name,
                rng.choice(("2025-06", "202506", "2025-07")),
                rng.choice(SCHEMES),
                rng.choice(REASONS),
                f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                rng.choice(("汉族", "汉族", "汉族", "土家族", "回族")),
                rng.choice(("城镇", "农村")),
                "否",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    data = addition_file(args.rows)
    context = TrivialContext()
    reads: list[float] = []
    totals: list[float] = []
    for _run in range(args.runs):
        started = time.perf_counter()
        batch = read_batch(data, "addition")
        read_done = time.perf_counter()
        validation = validate_rows(batch, context)
        finished = time.perf_counter()
        reads.append(read_done - started)
        totals.append(finished - started)
    print(f"file: {args.rows} rows, {len(data) / 1024:.0f} KiB")
    print(
        f"valid {len(validation.valid_rows)}, rows with errors {validation.rows_with_errors}, "
        f"errors {len(validation.errors)}"
    )
    best, median = min(totals), statistics.median(totals)
    print(
        f"read_batch + validate_rows over {args.runs} runs: best {best:.3f} s, "
        f"median {median:.3f} s (read {statistics.median(reads):.3f} s, "
        f"validate {median - statistics.median(reads):.3f} s)"
    )
    print(f"throughput: {args.rows / median:,.0f} rows/s (median run)")


if __name__ == "__main__":
    main()
