"""PostgreSQL: everything one reply writes, in one statement.

A reply to a known application stores the inbound message, updates the application, moves or cancels its
timers, queues the bot's texts, records any correction and the transition. Sent one by one that is six round
trips, each costing the web worker a wake-up and the driver's bookkeeping; as data-modifying CTEs it is one.
PostgreSQL runs every WITH member exactly once, all in the caller's transaction; the transition and the
correction take the new message's id from the `inbound` member. SQLite has no DML in WITH: it writes the same
rows statement by statement (`moves.write_move`).

The statement text depends only on the shape of the move (how many texts, a correction or not, what happens to
the timers), so each shape is built once and the driver prepares it after a few uses."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection

from smsbot.config import Settings
from smsbot.moves import Move
from smsbot.timers import CANCELLED, PENDING, REMINDER, replace_timers


class Shape(NamedTuple):
    """What the statement text depends on: the columns of each row written and what happens to the timers."""

    inbound: tuple[str, ...]
    changes: tuple[str, ...] = ()
    outbound_count: int = 0
    outbound: tuple[str, ...] = ()
    transition: tuple[str, ...] = ()
    correction: tuple[str, ...] = ()
    timers: str | None = None


def write_reply(
    conn: Connection, inbound: dict[str, Any], move: Move | None, *, settings: Settings, now: datetime
) -> int:
    """Store `inbound` and write `move` (caused by it) in one statement; returns the inbound message's id."""
    params = _params("in", inbound)
    shape = Shape(tuple(inbound))
    if move is not None:
        params |= _params("app", move.changes) | _params("tr", move.transition) | {"app_id": move.application_id}
        for number, row in enumerate(move.outbound):
            params |= _params(f"out{number}", row)
        params |= _params("co", move.correction or {})
        params |= {
            "tm_reminder": now + timedelta(seconds=settings.reminder_after_seconds),
            "tm_expire": now + timedelta(seconds=settings.expire_after_seconds),
        }
        shape = shape._replace(
            changes=tuple(move.changes),
            outbound_count=len(move.outbound),
            outbound=tuple(move.outbound[0]) if move.outbound else (),
            transition=tuple(move.transition),
            correction=tuple(move.correction or ()),
            timers=move.timers,
        )
    message_id, pending_timers = conn.exec_driver_sql(_statement(shape), params).one()
    if move is not None and move.timers == "arm" and pending_timers != 2:
        replace_timers(conn, move.application_id, settings=settings, now=now)  # none pending to move: make them
    return int(message_id)


def _params(prefix: str, row: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{column}": value for column, value in row.items()}


@lru_cache(maxsize=64)
def _statement(shape: Shape) -> str:
    members = [f"inbound AS ({_insert('messages', 'in', shape.inbound)} RETURNING id)"]
    if shape.changes:
        sets = ", ".join(f"{column} = %(app_{column})s" for column in shape.changes)
        members.append(f"app AS (UPDATE applications SET {sets} WHERE id = %(app_id)s)")
    if shape.timers == "arm":
        due = f"CASE kind WHEN '{REMINDER}' THEN %(tm_reminder)s ELSE %(tm_expire)s END"
        members.append(f"timers AS (UPDATE timers SET due_at = {due} {_PENDING_TIMERS} RETURNING id)")
    elif shape.timers == "cancel":
        members.append(f"timers AS (UPDATE timers SET status = '{CANCELLED}' {_PENDING_TIMERS} RETURNING id)")
    if shape.outbound_count:
        rows = ", ".join(_values(f"out{n}", shape.outbound) for n in range(shape.outbound_count))
        members.append(f"outbound AS (INSERT INTO messages ({', '.join(shape.outbound)}) VALUES {rows})")
    if shape.correction:
        members.append(f"correction AS ({_insert_caused('corrections', 'co', shape.correction, 'message_id')})")
    if shape.transition:
        members.append(f"transition AS ({_insert_caused('transitions', 'tr', shape.transition, 'cause_id')})")
    pending = "(SELECT count(*) FROM timers)" if shape.timers else "NULL"
    return f"WITH {', '.join(members)} SELECT inbound.id, {pending} FROM inbound"


_PENDING_TIMERS = f"WHERE application_id = %(app_id)s AND status = '{PENDING}'"


def _values(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"%({prefix}_{column})s" for column in columns) + ")"


def _insert(table: str, prefix: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {_values(prefix, columns)}"


def _insert_caused(table: str, prefix: str, columns: tuple[str, ...], cause_column: str) -> str:
    """An INSERT whose `cause_column` is the id of the message the `inbound` member stores."""
    values = ", ".join("inbound.id" if c == cause_column else f"%({prefix}_{c})s" for c in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM inbound"
