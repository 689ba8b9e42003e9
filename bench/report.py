"""The results table and the targets of the issue, checked against the figures of the same run."""

from __future__ import annotations

import math
from typing import Any

# (figure, field, comparison, threshold, what the target says)
TARGETS = [
    ("webhook.sqlite", "ratio", ">=", 0.5, "rps at least half the floor's"),
    ("webhook.sqlite", "p99_vs_floor", "<", 3.0, "p99 under 3x the floor's"),
    ("webhook.pg", "ratio", ">=", 0.5, "rps at least half the floor's"),
    ("webhook.pg", "p99_vs_floor", "<", 3.0, "p99 under 3x the floor's"),
    ("delivery", "ratio", ">=", 0.8, "at least 0.8 of a bare create() loop"),
    ("delivery_aliyun", "ratio", ">=", 0.8, "at least 0.8 of a bare SendSms loop"),
    ("events", "ratio", ">=", 0.8, "at least 0.8 of a bare loop of signed POSTs"),
    ("reader", "median_us", "<", 100.0, "median under 100 us"),
    ("scale", "p99_ratio", "<", 1.3, "p99 at 1M applications under 1.3x p99 at 1k"),
    ("import", "ratio", ">=", 0.3, "at least 0.3 of a bare batched INSERT"),
    ("memory", "worker_rss_growth_mb", "<", 20.0, "worker RSS growth under 20 MB"),
    ("reports", "page_p99_ms_big", "<", 300.0, "reports page p99 under 300 ms at 1M applications"),
]


def check(figures: dict[str, Any]) -> list[tuple[str, str, Any, str]]:
    """(figure.field, target, value, verdict) for every target; `skipped` where the figure is missing."""
    rows = []
    for name, field, op, threshold, _ in TARGETS:
        value = figures.get(name, {}).get(field)
        if not isinstance(value, int | float) or math.isnan(value):
            verdict = "skipped"
        else:
            met = value >= threshold if op == ">=" else value < threshold
            verdict = "met" if met else "MISSED"
        rows.append((f"{name}.{field}", f"{op} {threshold:g}", value, verdict))
    return rows


def table(figures: dict[str, Any]) -> str:
    """A markdown table: one line per figure with all its fields, then the targets."""
    lines = ["| figure | values |", "|---|---|"]
    for name, values in figures.items():
        lines.append(f"| `{name}` | {_fields(values)} |")
    lines += ["", "| target | wanted | measured | |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {wanted} | {_fmt(value)} | {verdict} |" for name, wanted, value, verdict in check(figures)]
    return "\n".join(lines)


def print_table(figures: dict[str, Any]) -> None:
    print(table(figures))


def _fields(values: Any) -> str:
    if not isinstance(values, dict):
        return _fmt(values)
    return ", ".join(f"{key} {_fmt(value)}" for key, value in values.items())


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 10 else f"{value:,.0f}"
    return str(value)
