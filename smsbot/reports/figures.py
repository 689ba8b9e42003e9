"""The report of a period of filing days, read from the daily aggregates (two grouped reads of an index range,
however many applications the period holds)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from smsbot.reports.buckets import quantile
from smsbot.reports.outcomes import STAGES
from smsbot.reports.stats import Difference, rate_difference

_BY_DAY_SQL = (
    "SELECT day, measure, sum(count) FROM report_daily WHERE day BETWEEN :since AND :until"
    " AND measure IN ({stages}) GROUP BY day, measure ORDER BY day"
)
_BY_GROUP = text(
    "SELECT locale, variant, measure, label, sum(count) FROM report_daily WHERE day BETWEEN :since AND :until"
    " GROUP BY locale, variant, measure, label"
)
Funnel = dict[str, int]


@dataclass(frozen=True)
class VariantRow:
    variant: str
    funnel: Funnel
    rate: float | None  # confirmed / sent
    difference: Difference | None  # against the first variant; None for the first itself


@dataclass(frozen=True)
class StaffRow:
    staff_id: int
    name: str
    handled: int  # handoffs this person acted on first
    first_action_median: float | None
    settled: int
    settle_median: float | None


@dataclass
class Report:
    since: date
    until: date
    totals: Funnel
    handoffs: dict[str, int]
    days: list[tuple[str, Funnel]]
    locales: dict[str, Funnel]
    variants: list[VariantRow]
    confirm_median: float | None
    confirm_p90: float | None
    failures: dict[str, int]
    staff: list[StaffRow] = field(default_factory=list)
    catching_up: bool = False  # the rollup had more to read than one round when this was loaded


def load_report(session: Session, since: date, until: date) -> Report:
    """The funnel of the applications filed from `since` to `until` (both included, filing days)."""
    bounds = {"since": since.isoformat(), "until": until.isoformat()}
    stages = ", ".join(f"'{stage}'" for stage in STAGES)  # constants of ours, never input
    by_day: dict[str, Funnel] = defaultdict(_empty)
    for day, measure, count in session.execute(text(_BY_DAY_SQL.format(stages=stages)), bounds):
        by_day[day][measure] += int(count)
    groups = [(lo, v, m, la, int(n)) for lo, v, m, la, n in session.execute(_BY_GROUP, bounds)]
    names = {sid: name for sid, name in session.execute(text("SELECT id, username FROM staff_users"))}
    return Report(
        since=since,
        until=until,
        totals=_funnel(groups),
        handoffs=_labels(groups, "handed_off"),
        days=sorted(by_day.items()),
        locales={locale: _funnel([g for g in groups if g[0] == locale]) for locale in sorted({g[0] for g in groups})},
        variants=_variants(groups),
        confirm_median=quantile(_labels(groups, "confirm_time"), 0.5),
        confirm_p90=quantile(_labels(groups, "confirm_time"), 0.9),
        failures=dict(sorted(_labels(groups, "failure").items(), key=lambda item: -item[1])),
        staff=_staff(groups, names),
    )


def _empty() -> Funnel:
    return dict.fromkeys(STAGES, 0)


def _funnel(groups: list[tuple[str, str, str, str, int]]) -> Funnel:
    funnel = _empty()
    for _, _, measure, _, count in groups:
        if measure in funnel:
            funnel[measure] += count
    return funnel


def _labels(groups: list[tuple[str, str, str, str, int]], measure: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for _, _, m, label, count in groups:
        if m == measure:
            counts[label] += count
    return {label: n for label, n in counts.items() if n}


def _variants(groups: list[tuple[str, str, str, str, int]]) -> list[VariantRow]:
    """Each variant's funnel, the first (in name order) the baseline the others are compared with."""
    names = sorted({g[1] for g in groups if g[1]})
    rows: list[VariantRow] = []
    for name in names:
        funnel = _funnel([g for g in groups if g[1] == name])
        rate = funnel["confirmed"] / funnel["sent"] if funnel["sent"] else None
        base = rows[0].funnel if rows else None
        diff = rate_difference(base["confirmed"], base["sent"], funnel["confirmed"], funnel["sent"]) if base else None
        rows.append(VariantRow(name, funnel, rate, diff))
    return rows


def _staff(groups: list[tuple[str, str, str, str, int]], names: dict[int, str]) -> list[StaffRow]:
    per: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: {"first_action": Counter(), "settle": Counter()})
    for _, _, measure, label, count in groups:
        if measure in ("first_action", "settle") and count:
            staff, _, bucket = label.partition(":")
            if staff.isdigit():
                per[int(staff)][measure][bucket] += count
    return [
        StaffRow(
            sid,
            names.get(sid, f"#{sid}"),
            sum(times["first_action"].values()),
            quantile(times["first_action"], 0.5),
            sum(times["settle"].values()),
            quantile(times["settle"], 0.5),
        )
        for sid, times in sorted(per.items(), key=lambda item: names.get(item[0], ""))
    ]


def share(count: int, of: int) -> float:
    return count / of if of else 0.0


def as_dict(report: Report) -> dict[str, Any]:
    """The figures as plain data (the terminal and the tests read the same)."""
    return {"totals": report.totals, "handoffs": report.handoffs, "failures": report.failures}
