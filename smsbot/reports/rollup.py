"""The incremental rollup: read what is new in the source tables (sources.py), fold each touched application
again from its whole history (outcomes.py), and add the difference its outcome makes to the daily aggregates.

Run by `smsbot worker` every ROLLUP_EVERY_SECONDS and, before every read, by the reports page, the CSVs and
`smsbot report` (`catch_up`), so the figures are current without a scan per view: a catch-up with nothing new
costs one statement of six index lookups. One rollup at a time: on PostgreSQL the watermark rows are locked
for the transaction; SQLite's writer lock does the same. The watermarks, the outcomes and the aggregates
commit together, so a rollup that dies changes nothing, and one run twice (or at once) counts nothing twice."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.db import for_update, is_sqlite, transaction
from smsbot.models import ReportDaily, ReportOutcome, ReportWatermark, utcnow
from smsbot.reports.outcomes import COLUMNS, Outcome, contributions, fold, from_row
from smsbot.reports.sources import MAX_IDS, SOURCES, as_utc

ROLLUP_EVERY_SECONDS = 10.0
BATCH_ROWS = 20_000  # source rows read per table per round
FOLD_BATCH = 500  # applications folded per query (ids in one IN list)
GroupKey = tuple[str, str, str, str, str]  # day, locale, variant, measure, label


def has_news(session: Session) -> bool:
    """Whether any source table holds ids past its watermark (a read only: nothing to roll up, no write)."""
    return backlog(session) > 0


def backlog(session: Session) -> int:
    """How many source rows (all tables, by id span) lie past the watermarks."""
    maxima = session.execute(text(MAX_IDS)).one()
    marks = {source: last for source, last in session.execute(text("SELECT source, last_id FROM report_watermarks"))}
    return sum(max((top or 0) - marks.get(s.name, 0), 0) for s, top in zip(SOURCES, maxima, strict=True))


def catch_up(factory: sessionmaker[Session], *, timezone: str, max_rounds: int = 50, backfills: bool = True) -> int:
    """Roll up until nothing is new (or `max_rounds` rounds); returns the applications folded. A backlog of
    more than BACKFILL_ROWS source rows is rolled up in one set-based pass first (backfill.py) unless
    `backfills` is off (the page, which must not wait for one, nor for one another process is running)."""
    from smsbot.reports.backfill import BACKFILL_ROWS, backfill  # it builds on this module's fold

    with factory() as session:
        waiting = backlog(session)
    if not waiting:
        return 0
    large = backfills and waiting > BACKFILL_ROWS
    total = backfill(factory, timezone=timezone) if large else 0
    for _ in range(max_rounds):
        folded = roll_up(factory, timezone=timezone, wait=backfills)
        total += folded
        if not folded:
            break
    return total


def roll_up(factory: sessionmaker[Session], *, timezone: str, limit: int = BATCH_ROWS, wait: bool = True) -> int:
    """One round: up to `limit` new rows of each source; returns how many applications were folded again.
    Without `wait`, a round that finds the watermarks locked by another rollup (on PostgreSQL) does nothing."""
    with transaction(factory) as session:
        marks = lock_watermarks(session, wait=wait)
        if len(marks) < len(SOURCES):
            return 0
        now, touched = utcnow(), set()
        for source in SOURCES:
            marks[source.name], ids = source.read(session, marks[source.name], limit, now)
            touched |= ids
        ordered = sorted(touched)
        for start in range(0, len(ordered), FOLD_BATCH):
            batch = ordered[start : start + FOLD_BATCH]
            _refold(session, batch, ZoneInfo(timezone), _InList(batch))
        store_watermarks(session, marks)
    return len(ordered)


def fold_range(session: Session, ids: list[int], timezone: str, deltas: Counter[GroupKey]) -> None:
    """Fold the applications `ids` (sorted, dense) again, reading their history by one id range per table;
    their outcomes are stored, the change to the aggregates is added to `deltas` (for `apply_deltas`)."""
    _refold(session, ids, ZoneInfo(timezone), _Range(ids), deltas)


def store_watermarks(session: Session, marks: dict[str, int]) -> None:
    for name, last in marks.items():
        session.execute(
            ReportWatermark.__table__.update()  # type: ignore[attr-defined]
            .where(ReportWatermark.__table__.c.source == name)  # type: ignore[attr-defined]
            .values(last_id=last)
        )


def lock_watermarks(session: Session, *, wait: bool = True) -> dict[str, int]:
    """The watermarks, locked for the transaction (created at 0 on the first run); without `wait`, only those
    no other transaction holds."""
    table = ReportWatermark.__table__  # type: ignore[attr-defined]
    insert = sqlite_insert if is_sqlite(session.get_bind()) else postgresql_insert
    session.execute(insert(table).values([{"source": s.name, "last_id": 0} for s in SOURCES]).on_conflict_do_nothing())
    query = for_update(session, select(ReportWatermark).order_by(col(ReportWatermark.source)))
    if not wait and not is_sqlite(session.get_bind()):
        query = query.with_for_update(skip_locked=True)
    rows = session.execute(query)
    return {mark.source: mark.last_id for mark in rows.scalars()}


class _InList:
    """Which applications a fold reads: an IN list, for the few an incremental round touches."""

    def __init__(self, ids: list[int]) -> None:
        self.params: dict[str, Any] = {"ids": ids}

    def where(self, column: str) -> str:
        return f"{column} IN :ids"

    def query(self, sql: str) -> Any:
        return text(sql).bindparams(bindparam("ids", expanding=True))


class _Range(_InList):
    """An id range, for the dense runs a backfill folds; rows of applications not in `ids` are left out."""

    def __init__(self, ids: list[int]) -> None:
        self.params = {"lo": ids[0], "hi": ids[-1]}

    def where(self, column: str) -> str:
        return f"{column} BETWEEN :lo AND :hi"

    def query(self, sql: str) -> Any:
        return text(sql)


def _refold(
    session: Session, ids: list[int], zone: ZoneInfo, scope: _InList, pending: Counter[GroupKey] | None = None
) -> None:
    wanted = set(ids)
    bases = {app_id: base for app_id, base in _bases(session, scope, zone).items() if app_id in wanted}
    outcomes = ReportOutcome.__table__  # type: ignore[attr-defined]
    old_rows = session.execute(select(outcomes).where(scope.query(scope.where("application_id"))), scope.params)
    old = {row.application_id: from_row(row) for row in old_rows}
    history = _history(session, scope)
    deltas: Counter[GroupKey] = Counter()
    rows = []
    for app_id, base in bases.items():
        new = fold(base, *(part.get(app_id, ()) for part in history))
        _add(deltas, old.get(app_id), -1)
        _add(deltas, new, +1)
        rows.append(new.row())
    _store_outcomes(session, rows)
    if pending is None:
        apply_deltas(session, deltas)
    else:
        pending.update(deltas)


def _bases(session: Session, scope: _InList, zone: ZoneInfo) -> dict[int, Outcome]:
    sql = f"SELECT id, created_at, locale, notice_variant, state FROM applications WHERE {scope.where('id')}"
    bases = {}
    for app_id, created_at, locale, variant, state in session.execute(scope.query(sql), scope.params):
        day = _day(created_at, zone)
        bases[app_id] = Outcome(app_id, day, locale, variant or "", state)
    return bases


def _history(session: Session, scope: _InList) -> tuple[dict[int, list[Any]], ...]:
    where = scope.where("application_id")
    queries = (
        f"SELECT application_id, direction, kind, status, error_code, sent_at, created_at FROM messages WHERE {where}",
        "SELECT application_id, from_state, to_state, handoff_reason, cause, cause_id, created_at FROM transitions"
        f" WHERE {where} ORDER BY id",
        f"SELECT application_id, staff_id, created_at FROM audit_events WHERE {where} ORDER BY id",
    )
    parts = []
    for query in queries:
        grouped: dict[int, list[Any]] = defaultdict(list)
        result = session.execute(scope.query(query), scope.params)
        names = tuple(result.keys())
        times = tuple(i for i, name in enumerate(names) if name in _TIMES)
        for row in result.tuples():
            grouped[row[0]].append(_Row(names, times, row))
        parts.append(grouped)
    return tuple(parts)


_TIMES = frozenset({"sent_at", "created_at"})


class _Row:
    """A history row with its times as aware datetimes (raw queries on SQLite return text). Built from the
    plain tuple: a backfill makes millions of these, and SQLAlchemy's Row._asdict was most of its time."""

    __slots__ = ("__dict__",)

    def __init__(self, names: tuple[str, ...], times: tuple[int, ...], row: tuple[Any, ...]) -> None:
        values = dict(zip(names, row, strict=True))
        for index in times:
            if row[index] is not None:
                values[names[index]] = as_utc(row[index])
        self.__dict__.update(values)


def _day(created_at: datetime | str, zone: ZoneInfo) -> str:
    return as_utc(created_at).astimezone(zone).date().isoformat()


def _add(deltas: Counter[GroupKey], outcome: Outcome | None, sign: int) -> None:
    if outcome is None:
        return
    for (measure, label), count in contributions(outcome).items():
        deltas[(outcome.day, outcome.locale, outcome.variant, measure, label)] += sign * count


def _store_outcomes(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    rows = list(rows)
    if not rows:
        return
    table = ReportOutcome.__table__  # type: ignore[attr-defined]
    insert = (sqlite_insert if is_sqlite(session.get_bind()) else postgresql_insert)(table)
    changed = {name: insert.excluded[name] for name in COLUMNS if name != "application_id"}
    session.execute(insert.on_conflict_do_update(index_elements=["application_id"], set_=changed), rows)


def apply_deltas(session: Session, deltas: Counter[GroupKey]) -> None:
    rows = [
        {"day": d, "locale": lo, "variant": v, "measure": m, "label": la, "count": n}
        for (d, lo, v, m, la), n in sorted(deltas.items())
        if n
    ]
    if not rows:
        return
    table = ReportDaily.__table__  # type: ignore[attr-defined]
    insert = (sqlite_insert if is_sqlite(session.get_bind()) else postgresql_insert)(table)
    keys = ["day", "locale", "variant", "measure", "label"]
    added = {"count": table.c.count + insert.excluded.count}
    session.execute(insert.on_conflict_do_update(index_elements=keys, set_=added), rows)
