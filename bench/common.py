"""Plumbing shared by the benchmarks: where things live, databases to create and drop, the machine."""

from __future__ import annotations

import os
import platform
import shutil
import socket
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from alembic import command

from smsbot.cli import alembic_config

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
POSTGRES = os.environ.get("SMSBOT_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
PREFIX = "smsbot_bench_"


@dataclass(frozen=True)
class Profile:
    """How long each measurement runs; `--quick` trades precision for a one-minute smoke run."""

    repeats: int = 3
    seconds: float = 6.0
    warmup_seconds: float = 2.0
    import_rows: int = 100_000
    scale_rows: int = 1_000_000
    memory_requests: int = 50_000
    delivery_rows: int = 2_000
    event_rows: int = 2_000


QUICK = Profile(
    repeats=1,
    seconds=2.0,
    warmup_seconds=1.0,
    import_rows=5_000,
    scale_rows=50_000,
    memory_requests=3_000,
    delivery_rows=200,
    event_rows=200,
)


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env(**extra: str) -> dict[str, str]:
    """The environment of every process we start: this checkout first on the path, no stray settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "ALIYUN_", "DATABASE_URL"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env | extra


def python() -> str:
    return sys.executable


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    model = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def pg_url(database: str, *, driver: bool = False) -> str:
    url = f"{POSTGRES.rstrip('/')}/{database}"
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if driver else url


def _admin() -> psycopg.Connection:
    return psycopg.connect(pg_url("postgres"), autocommit=True)


def drop_pg(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_pg(name: str, *, template: str | None = None) -> str:
    """A fresh database (a copy of `template` when given); returns its plain URL."""
    drop_pg(name)
    with _admin() as conn:
        if template:  # a copy needs the template to be idle
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [template],
            )
        suffix = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        conn.execute(f'CREATE DATABASE "{name}"{suffix}')
    return pg_url(name)


def migrate(url: str) -> None:
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    command.upgrade(alembic_config(url), "head")


def copy_sqlite(template: Path, target: Path) -> str:
    for suffix in ("", "-wal", "-shm", "-writer.lock"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@contextmanager
def pg_database(name: str, *, template: str | None = None) -> Iterator[str]:
    url = create_pg(name, template=template)
    try:
        yield url
    finally:
        drop_pg(name)


def cleanup_pg() -> None:
    """Drop what an interrupted earlier run left behind."""
    with _admin() as conn:
        names = [
            row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [PREFIX + "%"])
        ]
    for name in names:
        drop_pg(name)


class Stalled(RuntimeError):
    """The worker stopped making progress before every row was done."""


def rows_per_second(url: str, count: int, *, done: str, patience: float = 15, every: float = 0.25) -> float:
    """Wait until `count` rows are done, then rows per second from the first finished to the last.

    `done` is a query of the finish time of every row done so far, written by the worker itself (sent_at,
    delivered_at). Timing by those stamps, not by when a poll sees the rows, lets the poll be rare: a tight
    polling loop on this two-core machine would take from the worker the CPU it is measured on. The rows
    finished at the first stamp are not counted, as their work began before it."""
    progress, last = 0, time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() - last < patience:
            stamps = sorted(row[0] for row in conn.execute(done).fetchall())  # type: ignore[arg-type]
            if len(stamps) >= count:
                first, final = stamps[0], stamps[-1]
                later = sum(1 for stamp in stamps if stamp > first)
                return later / (final - first).total_seconds() if final > first else float("nan")
            if len(stamps) > progress:
                progress, last = len(stamps), time.monotonic()
            time.sleep(every)
    raise Stalled(f"the worker stalled after {progress} of {count} rows")
