"""Inbound webhooks under gunicorn: smsbot against the bare WSGI floor (same database work, raw driver) and a
bare Flask view, all with the same gunicorn config, alternately, on fresh copies of one seeded database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.common import OUT, Profile, median
from bench.databases import KINDS, Template, template
from bench.seed import phone
from bench.server import THREADS, WORKERS, gunicorn
from bench.traffic import AUTH_TOKEN, PUBLIC_URL, Load, build_pool, run_wrk

APPLICANTS = 1_000
POOL_SIZE = 60_000  # more than any one measurement sends, so no MessageSid repeats within a run
SMSBOT = "wsgi:app"
FLOOR = "bench.floor_app:make_app()"
FLASK_FLOOR = "bench.flask_floor:app"


def smsbot_env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "SMSBOT_PUBLIC_URL": PUBLIC_URL,
        "SMSBOT_SMS_BACKEND": "simulator",
        "SMSBOT_INSTANCE_PATH": str(OUT / "instance"),
    }


def drive(app: str, env: dict[str, str], pool: Path, profile: Profile, **options: Any) -> Load:
    """Start `app`, warm it up on the start of the pool, then measure on the rest."""
    with gunicorn(app, **options, **env) as server:
        warm = run_wrk(server.port, pool, offset=0, seconds=profile.warmup_seconds)
        return run_wrk(server.port, pool, offset=warm.requests + 100, seconds=profile.seconds)


def smsbot_load(db: Template, pool: Path, profile: Profile) -> Load:
    with db.copy() as url:
        return drive(SMSBOT, smsbot_env(url), pool, profile)


def floor_load(db: Template, pool: Path, profile: Profile) -> Load:
    with db.copy() as url:
        return drive(FLOOR, {"BENCH_DATABASE_URL": url}, pool, profile)


def summarize(smsbot: list[Load], floor: list[Load], flask: list[Load]) -> dict[str, Any]:
    """Medians over repeats; ratios are taken per repeat (each pair ran back to back), then the median."""
    return {
        "rps": round(median([load.rps for load in smsbot]), 1),
        "p50_ms": round(median([load.p50_ms for load in smsbot]), 2),
        "p99_ms": round(median([load.p99_ms for load in smsbot]), 2),
        "floor_rps": round(median([load.rps for load in floor]), 1),
        "floor_p99_ms": round(median([load.p99_ms for load in floor]), 2),
        "ratio": round(median([s.rps / f.rps for s, f in zip(smsbot, floor, strict=True)]), 3),
        "p99_vs_floor": round(median([s.p99_ms / f.p99_ms for s, f in zip(smsbot, floor, strict=True)]), 2),
        "flask_floor_rps": round(median([load.rps for load in flask]), 1),
        "errors": sum(load.errors for load in smsbot + floor),
        "gunicorn": f"gthread, {WORKERS} workers x {THREADS} threads",
        "applicants": APPLICANTS,
    }


def run(profile: Profile, kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    pool = build_pool(OUT / "pool-webhook.txt", [phone(i) for i in range(1, APPLICANTS + 1)], POOL_SIZE)
    flask = [drive(FLASK_FLOOR, {}, pool, profile) for _ in range(profile.repeats)]
    results = {}
    for kind in kinds:
        with template(kind, f"webhook_{kind}", APPLICANTS) as db:
            smsbot, floor = [], []
            for _ in range(profile.repeats):
                smsbot.append(smsbot_load(db, pool, profile))
                floor.append(floor_load(db, pool, profile))
        results[f"webhook.{kind}"] = summarize(smsbot, floor, flask)
    return results
