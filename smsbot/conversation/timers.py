"""Timers are rows: one reminder after an unanswered prompt, then a handoff with `no_reply`.

Scheduling and cancelling happen inside the transaction of the move that caused them; the worker fires due
timers with the application row locked, so a reply and a timer can never both act on the same prompt."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, insert, update
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.models import Timer
from smsbot.models.base import UTCDateTime

PENDING, FIRED, CANCELLED = "pending", "fired", "cancelled"
REMINDER, EXPIRE = "reminder", "expire"


TIMERS = Timer.__table__  # type: ignore[attr-defined]
_PENDING_OF_APPLICATION = and_(TIMERS.c.application_id == bindparam("timers_of"), TIMERS.c.status == PENDING)
_CANCEL = update(TIMERS).where(_PENDING_OF_APPLICATION).values(status=CANCELLED)
_REARM = (
    update(TIMERS)
    .where(_PENDING_OF_APPLICATION)
    .values(
        due_at=case(
            {REMINDER: bindparam("reminder_due", type_=UTCDateTime)},
            value=TIMERS.c.kind,
            else_=bindparam("expire_due", type_=UTCDateTime),
        )
    )
)
_INSERT = insert(TIMERS)


def cancel_timers(bind: Session | Connection, application_id: int) -> None:
    if isinstance(bind, Session):
        bind.flush()  # a Core statement does not autoflush: the session's own changes go first
    bind.execute(_CANCEL, {"timers_of": application_id})


def schedule_timers(conn: Connection, application_id: int, *, settings: Settings, now: datetime) -> None:
    """Replace the application's pending timers with a fresh reminder and expiry for its latest prompt."""
    if not _rearm(conn, application_id, settings=settings, now=now):
        replace_timers(conn, application_id, settings=settings, now=now)


def replace_timers(conn: Connection, application_id: int, *, settings: Settings, now: datetime) -> None:
    """Cancel whatever is pending and start a fresh reminder and expiry."""
    cancel_timers(conn, application_id)
    conn.execute(_INSERT, timer_values(application_id, settings=settings, now=now))


def _rearm(conn: Connection, application_id: int, *, settings: Settings, now: datetime) -> bool:
    """The common case in one statement: both timers still pending, so move them instead of replacing them."""
    due = {
        "timers_of": application_id,
        "reminder_due": now + timedelta(seconds=settings.reminder_after_seconds),
        "expire_due": now + timedelta(seconds=settings.expire_after_seconds),
    }
    return conn.execute(_REARM, due).rowcount == 2


def timer_values(application_id: int, *, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """The reminder and the expiry of a prompt sent at `now`, as column values."""
    return [
        {"application_id": application_id, "kind": kind, "due_at": now + timedelta(seconds=after), "status": PENDING}
        | {"created_at": now, "fired_at": None}
        for kind, after in ((REMINDER, settings.reminder_after_seconds), (EXPIRE, settings.expire_after_seconds))
    ]
