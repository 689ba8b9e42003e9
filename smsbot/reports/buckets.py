"""Durations as histogram buckets, so a median or a p90 over any period is read from the daily aggregates
instead of from every application's times."""

from __future__ import annotations

import bisect
from collections.abc import Mapping

# Upper bounds in seconds: 1, 5, 15, 30 minutes; 1, 2, 4, 8, 12 hours; 1, 2, 3, 7 days; then everything longer.
EDGES = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200, 604800)
OVERFLOW = "inf"


def bucket_of(seconds: float) -> str:
    """The label of the bucket holding `seconds`: its upper bound, or "inf" past the last one."""
    index = bisect.bisect_left(EDGES, max(seconds, 0))
    return str(EDGES[index]) if index < len(EDGES) else OVERFLOW


def quantile(counts: Mapping[str, int], q: float) -> float | None:
    """The q-quantile of the durations counted in `counts` (bucket label -> count), interpolated linearly
    inside its bucket as Prometheus' histogram_quantile does; None when nothing was counted. A quantile in the
    last bucket reads as its lower bound (the bucket has no upper one)."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank, seen, lower = q * total, 0, 0.0
    for edge in (*EDGES, None):
        label = str(edge) if edge is not None else OVERFLOW
        count = counts.get(label, 0)
        if count and seen + count >= rank:
            if edge is None:
                return lower
            return lower + (edge - lower) * (rank - seen) / count
        seen += count
        lower = float(edge) if edge is not None else lower
    return lower


def bounds_of(seconds: float) -> tuple[float, float]:
    """The bucket holding `seconds` as (lower, upper) bounds: a test's truth and the estimate share one."""
    index = bisect.bisect_left(EDGES, max(seconds, 0))
    lower = float(EDGES[index - 1]) if index > 0 else 0.0
    upper = float(EDGES[index]) if index < len(EDGES) else float("inf")
    return lower, upper
