"""Memory: RSS growth of one gunicorn worker across N webhooks after a warm-up. Per-request leaks (a state
machine model kept per conversation, a growing cache) show here; allocator noise stays within a few MB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import OUT, Profile
from bench.databases import template
from bench.seed import phone
from bench.server import THREADS, Server, gunicorn
from bench.traffic import build_pool, run_wrk
from bench.webhook import SMSBOT, smsbot_env

APPLICANTS = 20_000  # enough that most requests move a conversation, not just chat in a finished one
WARMUP = 5_000


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def send(server: Server, pool: Path, offset: int, count: int) -> int:
    """Send about `count` webhooks from pool line `offset`, in slices sized by the measured rate."""
    sent, rate = 0, 200.0
    while sent < count:
        load = run_wrk(server.port, pool, offset=offset + sent + 50, seconds=max(1.0, min(20.0, (count - sent) / rate)))
        sent, rate = sent + load.requests + 50, max(load.rps, 50.0)
    return sent


def run(profile: Profile) -> dict[str, Any]:
    requests = profile.memory_requests
    pool = build_pool(OUT / "pool-memory.txt", [phone(i) for i in range(1, APPLICANTS + 1)], requests + WARMUP + 20_000)
    with (
        template("pg", "memory", APPLICANTS) as db,
        db.copy() as url,
        gunicorn(SMSBOT, workers=1, **smsbot_env(url)) as server,
    ):
        [pid] = server.worker_pids()
        warm = send(server, pool, 0, min(WARMUP, requests))
        before = rss_mb(pid)
        sent = send(server, pool, warm, requests)
        after = rss_mb(pid)
    return {
        "memory": {
            "worker_rss_growth_mb": round(after - before, 1),
            "rss_before_mb": round(before, 1),
            "rss_after_mb": round(after, 1),
            "webhooks": sent,
            "gunicorn": f"gthread, 1 worker x {THREADS} threads, PostgreSQL",
        }
    }
