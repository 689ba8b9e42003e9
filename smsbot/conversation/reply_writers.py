"""Everything one reply writes, as few and as cheap statements as each database allows.

A reply to a known application stores the inbound message, updates the application, moves or cancels its
timers, queues the bot's texts, records any correction and the transition: the same rows `moves.write_move`
writes, on the webhook's hot path.

PostgreSQL: one statement. Sent one by one that is six round trips, each costing the web worker a wake-up and
the driver's bookkeeping; as data-modifying CTEs it is one. PostgreSQL runs every WITH member exactly once, in
the caller's transaction; the transition and the correction take the new message's id from `inbound`.

SQLite has no DML in WITH, and its one write lock is held while these statements run, so they go straight to
the driver: for statements this small the ORM toolkit's per-execution work costs more than SQLite's own.
Datetimes are stored by the column type's own bind processor, exactly as every other write stores them.

Events for the lender's system (`move.events`, rows of the event outbox) are written here too, in the same
statement on PostgreSQL and among the same statements on SQLite, rather than sending replies through the ORM
path when events are on: an event must commit with the move that causes it, and the reply that causes one is
the webhook's common case, so the ORM path would cost every reply its speed for one more INSERT. The rows are
planned with the move (`events.from_moves`), so both writers store the same bytes.

The timers are the one place both write the same SQL: `timers.TIMER_STATEMENTS`, compiled for the driver, then
`timers.settle_timers`, so the re-arm-else-replace rule is the one `moves.write_move` follows.

The statement text depends only on the shape of the move (how many texts, a correction or not, what happens to
the timers), so each shape is built once; the drivers cache or prepare it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from smsbot.config import Settings
from smsbot.conversation.moves import Move
from smsbot.conversation.timers import TIMER_STATEMENTS, TIMERS, settle_timers, timer_params
from smsbot.db import is_sqlite
from smsbot.models.base import UTCDateTime


class Shape(NamedTuple):
    """What the statement text depends on: the columns of each row written and what happens to the timers."""

    inbound: tuple[str, ...]
    changes: tuple[str, ...] = ()
    outbound_count: int = 0
    outbound: tuple[str, ...] = ()
    transition: tuple[str, ...] = ()
    correction: tuple[str, ...] = ()
    timers: str | None = None
    events_count: int = 0
    events: tuple[str, ...] = ()


def write_reply(
    conn: Connection,
    inbound: dict[str, Any],
    move: Move | None,
    *,
    settings: Settings,
    now: datetime,
    seen: dict[str, Any] | None = None,
) -> int | None:
    """Store `inbound` and write `move` (caused by it); returns the inbound message's id.

    `seen`: the application's columns as a decision read them from a snapshot (SQLite only): the writes happen
    only if the row still holds them, else nothing is written and None is returned."""
    params = _params("in", inbound)
    shape = Shape(tuple(inbound))
    if move is not None:
        params |= _params("app", move.changes) | _params("tr", move.transition) | {"app_id": move.application_id}
        for number, row in enumerate(move.outbound):
            params |= _params(f"out{number}", row)
        params |= _params("co", move.correction or {})
        for number, row in enumerate(move.events):
            params |= _params(f"ev{number}", row)
        if move.timers is not None:
            params |= timer_params(move.timers, move.application_id, settings=settings, now=now)
            params |= _timer_sql(move.timers, conn.dialect.name)[1]
        shape = shape._replace(
            changes=tuple(move.changes),
            outbound_count=len(move.outbound),
            outbound=tuple(move.outbound[0]) if move.outbound else (),
            transition=tuple(move.transition),
            correction=tuple(move.correction or ()),
            timers=move.timers,
            events_count=len(move.events),
            events=tuple(move.events[0]) if move.events else (),
        )
    if is_sqlite(conn):
        return _write_sqlite(conn, shape, params, move, settings=settings, now=now, seen=seen)
    if seen is not None:
        raise ValueError("PostgreSQL locks the application before it reads: there is no snapshot to check")
    message_id, touched = conn.exec_driver_sql(_statement(shape), params).one()
    if move is not None and move.timers is not None:
        settle_timers(conn, move.timers, move.application_id, touched, settings=settings, now=now)
    return int(message_id)


def _write_sqlite(
    conn: Connection,
    shape: Shape,
    params: dict[str, Any],
    move: Move | None,
    *,
    settings: Settings,
    now: datetime,
    seen: dict[str, Any] | None,
) -> int | None:
    statements = _sqlite_statements(shape, seen is not None)
    to_db = _sqlite_datetime(conn)
    params = {key: to_db(value) if isinstance(value, datetime) else value for key, value in params.items()}
    if seen is not None:
        params |= {f"seen_{key}": to_db(value) if isinstance(value, datetime) else value for key, value in seen.items()}
    driver = conn.connection.driver_connection
    assert driver is not None
    if statements.application:
        updated = driver.execute(statements.application, params).rowcount
        if seen is not None and updated != 1:
            return None  # the application changed since the snapshot
    if statements.unchanged and driver.execute(statements.unchanged, params).fetchone() is None:
        return None
    message_id = int(driver.execute(statements.inbound, params).fetchone()[0])
    params |= {"inbound_id": message_id}
    for statement in statements.writes:
        driver.execute(statement, params)
    if move is not None and move.timers is not None:
        touched = driver.execute(statements.timers, params).rowcount
        settle_timers(conn, move.timers, move.application_id, touched, settings=settings, now=now)
    return message_id


class _SqliteStatements(NamedTuple):
    application: str  # the application's UPDATE (guarded when writing from a snapshot)
    unchanged: str  # a snapshot with no move to write: is the application still as read?
    inbound: str
    timers: str
    writes: tuple[str, ...]  # texts, correction, transition, events


_SEEN = (
    "id = :seen_id AND updated_at = :seen_updated_at AND state = :seen_state AND reprompts = :seen_reprompts"
    " AND asked_field IS :seen_asked_field"
)


@lru_cache(maxsize=64)
def _sqlite_statements(shape: Shape, guarded: bool) -> _SqliteStatements:
    where = _SEEN if guarded else "id = :app_id"
    application = unchanged = ""
    if shape.changes:
        sets = ", ".join(f"{column} = :app_{column}" for column in shape.changes)
        application = f"UPDATE applications SET {sets} WHERE {where}"
    elif guarded:
        unchanged = f"SELECT 1 FROM applications WHERE {where}"
    inbound = f"INSERT INTO messages ({', '.join(shape.inbound)}) VALUES ({_named('in', shape.inbound)}) RETURNING id"
    timers = _timer_sql(shape.timers, "sqlite")[0] if shape.timers else ""
    writes = [
        f"INSERT INTO messages ({', '.join(shape.outbound)}) VALUES ({_named(f'out{n}', shape.outbound)})"
        for n in range(shape.outbound_count)
    ]
    if shape.correction:
        values = _named("co", shape.correction).replace(":co_message_id", ":inbound_id")
        writes.append(f"INSERT INTO corrections ({', '.join(shape.correction)}) VALUES ({values})")
    if shape.transition:
        values = _named("tr", shape.transition).replace(":tr_cause_id", ":inbound_id")
        writes.append(f"INSERT INTO transitions ({', '.join(shape.transition)}) VALUES ({values})")
    writes += [  # in the order planned: the ids order an application's events
        f"INSERT INTO event_outbox ({', '.join(shape.events)}) VALUES ({_named(f'ev{n}', shape.events)})"
        for n in range(shape.events_count)
    ]
    return _SqliteStatements(application, unchanged, inbound, timers, tuple(writes))


def _named(prefix: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f":{prefix}_{column}" for column in columns)


def _sqlite_datetime(conn: Connection) -> Callable[[datetime], Any]:
    """How the datetime columns' type stores a value on this connection's dialect."""
    processor = UTCDateTime().dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return processor or (lambda value: value)


def _params(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{column}": value for column, value in row.items()}


@lru_cache(maxsize=64)
def _statement(shape: Shape) -> str:
    members = [f"inbound AS ({_insert('messages', 'in', shape.inbound)} RETURNING id)"]
    if shape.changes:
        sets = ", ".join(f"{column} = %(app_{column})s" for column in shape.changes)
        members.append(f"app AS (UPDATE applications SET {sets} WHERE id = %(app_id)s)")
    if shape.timers:
        members.append(f"timers_touched AS ({_timer_sql(shape.timers, 'postgresql')[0]})")
    if shape.outbound_count:
        rows = ", ".join(_values(f"out{n}", shape.outbound) for n in range(shape.outbound_count))
        members.append(f"outbound AS (INSERT INTO messages ({', '.join(shape.outbound)}) VALUES {rows})")
    if shape.correction:
        members.append(f"correction AS ({_insert_caused('corrections', 'co', shape.correction, 'message_id')})")
    if shape.transition:
        members.append(f"transition AS ({_insert_caused('transitions', 'tr', shape.transition, 'cause_id')})")
    if shape.events_count:  # one VALUES list: PostgreSQL takes the ids in its order, which orders the events
        rows = ", ".join(_values(f"ev{n}", shape.events) for n in range(shape.events_count))
        members.append(f"events AS (INSERT INTO event_outbox ({', '.join(shape.events)}) VALUES {rows})")
    touched = "(SELECT count(*) FROM timers_touched)" if shape.timers else "NULL"
    return f"WITH {', '.join(members)} SELECT inbound.id, {touched} FROM inbound"


@lru_cache(maxsize=8)
def _timer_sql(action: str, dialect: str) -> tuple[str, dict[str, Any]]:
    """`timers.TIMER_STATEMENTS[action]` as the driver takes it, and the constants it binds. On PostgreSQL it
    returns the timers it touched, for the statement to count."""
    statement = TIMER_STATEMENTS[action]
    if dialect != "sqlite":
        statement = statement.returning(TIMERS.c.id)  # counted by the statement, as `touched`
    driver = sqlite.dialect(paramstyle="named") if dialect == "sqlite" else postgresql.psycopg.dialect()
    compiled = statement.compile(dialect=driver)
    constants = {name: bind.effective_value for bind, name in compiled.bind_names.items() if not bind.required}
    return compiled.string, constants


def _values(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"%({prefix}_{column})s" for column in columns) + ")"


def _insert(table: str, prefix: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {_values(prefix, columns)}"


def _insert_caused(table: str, prefix: str, columns: tuple[str, ...], cause_column: str) -> str:
    """An INSERT whose `cause_column` is the id of the message the `inbound` member stores."""
    values = ", ".join("inbound.id" if c == cause_column else f"%({prefix}_{c})s" for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM inbound"
