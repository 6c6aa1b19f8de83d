"""What the benchmarks share: printing as they go, and the database each one runs on."""

from __future__ import annotations

import os
from typing import Any

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def log(*parts: Any) -> None:
    print(*parts, flush=True)


def prepare_database(name: str, *, reuse: bool = False) -> bool:
    """Point DATABASE_URL at the benchmark's own database ``name`` on BENCH_PG, created afresh
    (kept as it is with ``reuse``), unless DATABASE_URL is given. True when the database is
    the benchmark's own."""
    if os.environ.get("DATABASE_URL"):
        return False
    import psycopg

    server = os.environ.get("BENCH_PG", DEFAULT_SERVER).rstrip("/")
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and exists:
            return True
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return True
