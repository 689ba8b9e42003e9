"""The rollup's fast path for a large backlog (a first run over a long history, a worker that was stopped):
one transaction that finds, set-based in SQL, how far each watermark may move and which applications the rows
up to it touch, then folds each of those applications exactly once, reading its history by ranges of
application ids. The incremental round reads at most BATCH_ROWS rows a table and folds an application again
each time one of its tables reaches it (an application's message rows arrive rounds after its own row);
here every application is folded once, whatever the backlog.

The fold, the deltas and the gap rule are the incremental path's own (rollup.py, sources.py), so both leave
the same rows; tests/reports/test_backfill.py compares them row by row."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.db import is_sqlite, transaction
from smsbot.models import utcnow
from smsbot.reports.rollup import GroupKey, apply_deltas, fold_range, lock_watermarks, store_watermarks
from smsbot.reports.sources import GAP_GRACE_SECONDS, SOURCES, Source

BACKFILL_ROWS = 100_000  # new source rows (all tables) past which catch_up takes this path
FOLD_RANGE = 10_000  # applications folded per set of range queries

# The first row that must wait: past a gap in the ids and too young for the gap to be settled (sources.py).
_STOP = """SELECT min(id) FROM (SELECT id, created_at, LAG(id, 1, :after) OVER (ORDER BY id) AS prev
    FROM {table} WHERE id > :after) AS s WHERE id <> prev + 1 AND created_at > :grace"""
_LAST = "SELECT coalesce(max(id), :after) FROM {table} WHERE id > :after"
_TOUCHED = {
    "applications": "SELECT id FROM applications WHERE id > :after AND id <= :last",
    "messages": "SELECT DISTINCT application_id FROM messages WHERE id > :after AND id <= :last",
    "transitions": "SELECT DISTINCT application_id FROM transitions WHERE id > :after AND id <= :last",
    "audit_events": "SELECT DISTINCT application_id FROM audit_events WHERE id > :after AND id <= :last",
    "send_attempts": "SELECT DISTINCT m.application_id FROM send_attempts s JOIN messages m ON m.id = s.message_id"
    " WHERE s.id > :after AND s.id <= :last",
    "delivery_events": "SELECT DISTINCT m.application_id FROM delivery_events s JOIN messages m ON m.id = s.message_id"
    " WHERE s.id > :after AND s.id <= :last",
}


def backfill(factory: sessionmaker[Session], *, timezone: str) -> int:
    """Roll up everything past the watermarks in one transaction; returns the applications folded. Leaves the
    same outcomes, aggregates and watermarks as incremental rounds run until nothing is new."""
    with transaction(factory) as session:
        marks = lock_watermarks(session)
        grace = _grace(session, utcnow())
        touched: set[int] = set()
        for source in SOURCES:
            marks[source.name], ids = _advance(session, source, marks[source.name], grace)
            touched |= ids
        ordered, deltas = sorted(touched), Counter[GroupKey]()
        for start in range(0, len(ordered), FOLD_RANGE):
            fold_range(session, ordered[start : start + FOLD_RANGE], timezone, deltas)
        apply_deltas(session, deltas)  # once: a day's rows are written once, not once a range
        store_watermarks(session, marks)
    return len(ordered)


def _advance(session: Session, source: Source, after: int, grace: object) -> tuple[int, set[int]]:
    table = source.name
    stop = session.execute(text(_STOP.format(table=table)), {"after": after, "grace": grace}).scalar()
    last_sql = _LAST.format(table=table) + ("" if stop is None else " AND id < :stop")
    last = int(session.execute(text(last_sql), {"after": after, "stop": stop}).scalar() or after)
    if last == after:
        return after, set()
    rows = session.execute(text(_TOUCHED[table]), {"after": after, "last": last}).scalars()
    return last, {app_id for app_id in rows if app_id is not None}


def _grace(session: Session, now: datetime) -> object:
    """The gap rule's cut-off, in the form created_at is stored in (SQLite keeps naive UTC text)."""
    cutoff = now - timedelta(seconds=GAP_GRACE_SECONDS)
    if is_sqlite(session.get_bind()):
        return cutoff.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return cutoff
