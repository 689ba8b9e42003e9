"""Where the rollup learns that an application's funnel may have moved: new rows in six tables, read in id
order past a watermark. Nothing on the webhook's or the worker's path writes anything for the reports: every
row read here is written there anyway (this is why the rollup is incremental, not a trigger or a counter
updated in the reply's transaction, which would add a write to the benchmarked hot path).

Ids are handed out before commit, so on PostgreSQL a row with a smaller id can become visible after a larger
one. The watermark never moves past a gap in the ids until the row after the gap is `GAP_GRACE_SECONDS` old:
by then the transaction that took the missing id has committed (ours last milliseconds) or rolled back (and
its id will never appear)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

GAP_GRACE_SECONDS = 30


@dataclass(frozen=True)
class Source:
    name: str
    query: str  # rows (id, application_id, created_at) with id > :after, in id order, at most :limit

    def read(self, session: Session, after: int, limit: int, now: datetime) -> tuple[int, set[int]]:
        """The new watermark and the applications touched by the rows up to it."""
        rows = session.execute(text(self.query), {"after": after, "limit": limit}).all()
        grace = now - timedelta(seconds=GAP_GRACE_SECONDS)
        last, touched = after, set()
        for row_id, application_id, created_at in rows:
            if row_id != last + 1 and as_utc(created_at) > grace:
                break  # an id below this one may still commit: wait for it
            last = row_id
            if application_id is not None:
                touched.add(application_id)
        return last, touched


def as_utc(value: datetime | str) -> datetime:
    """A created_at from a raw query: SQLite hands back text, naive; both databases store UTC."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _simple(table: str) -> str:
    return f"SELECT id, application_id, created_at FROM {table} WHERE id > :after ORDER BY id LIMIT :limit"


def _via_message(table: str) -> str:
    return (
        f"SELECT s.id, m.application_id, s.created_at FROM {table} s LEFT JOIN messages m ON m.id = s.message_id"
        " WHERE s.id > :after ORDER BY s.id LIMIT :limit"
    )


SOURCES = (
    Source("applications", "SELECT id, id, created_at FROM applications WHERE id > :after ORDER BY id LIMIT :limit"),
    Source("messages", _simple("messages")),
    Source("transitions", _simple("transitions")),
    Source("audit_events", _simple("audit_events")),
    Source("send_attempts", _via_message("send_attempts")),
    Source("delivery_events", _via_message("delivery_events")),
)
MAX_IDS = "SELECT " + ", ".join(f"(SELECT max(id) FROM {s.name})" for s in SOURCES)
