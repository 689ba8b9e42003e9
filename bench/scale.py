"""Scale: webhook p99 on PostgreSQL with 1,000,000 applications against 1,000. The same 1,000 applicants
text in both (spread through the big table), so only the size of the tables differs."""

from __future__ import annotations

from typing import Any

from bench.common import OUT, Profile, median
from bench.databases import template
from bench.seed import phone
from bench.traffic import build_pool
from bench.webhook import POOL_SIZE, smsbot_load

ACTIVE = 1_000


def run(profile: Profile) -> dict[str, Any]:
    big = profile.scale_rows
    stride = big // ACTIVE
    small_pool = build_pool(OUT / "pool-scale-small.txt", [phone(i) for i in range(1, ACTIVE + 1)], POOL_SIZE)
    big_pool = build_pool(OUT / "pool-scale-big.txt", [phone(i * stride) for i in range(1, ACTIVE + 1)], POOL_SIZE)
    small, large = [], []
    with template("pg", "scale_small", ACTIVE) as small_db, template("pg", "scale_big", big) as big_db:
        for _ in range(profile.repeats):
            small.append(smsbot_load(small_db, small_pool, profile))
            large.append(smsbot_load(big_db, big_pool, profile))
    return {
        "scale": {
            "p99_ratio": round(median([b.p99_ms / s.p99_ms for s, b in zip(small, large, strict=True)]), 3),
            "p99_ms_small": round(median([s.p99_ms for s in small]), 2),
            "p99_ms_big": round(median([b.p99_ms for b in large]), 2),
            "rps_small": round(median([s.rps for s in small]), 1),
            "rps_big": round(median([b.rps for b in large]), 1),
            "applications_small": ACTIVE,
            "applications_big": big,
        }
    }
