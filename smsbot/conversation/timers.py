"""Timers are rows: one reminder after an unanswered prompt, then a handoff with `no_reply`.

Scheduling and cancelling happen inside the transaction of the move that caused them; the worker fires due
timers with the application row locked, so a reply and a timer can never both act on the same prompt.

The rule for a move's timers lives here once, in pieces the fast reply writers build their SQL from: which
timers are pending (`PENDING_OF_APPLICATION`), the statement for each action (`TIMER_STATEMENTS`) and its
parameters (`timer_params`), and what follows it (`settle_timers`): a prompt re-arms both pending timers in
place when both are there, else replaces whatever is pending with a fresh pair."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Update, and_, bindparam, case, insert, update
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.models import Timer
from smsbot.models.base import UTCDateTime

PENDING, FIRED, CANCELLED = "pending", "fired", "cancelled"
REMINDER, EXPIRE = "reminder", "expire"
KINDS = (REMINDER, EXPIRE)  # the pair every prompt starts
ARM, CANCEL = "arm", "cancel"  # what a move does to its application's pending timers (`Move.timers`)


TIMERS = Timer.__table__  # type: ignore[attr-defined]
PENDING_OF_APPLICATION = and_(TIMERS.c.application_id == bindparam("timers_of"), TIMERS.c.status == PENDING)
TIMER_STATEMENTS: dict[str, Update] = {
    CANCEL: update(TIMERS).where(PENDING_OF_APPLICATION).values(status=CANCELLED),
    ARM: update(TIMERS)
    .where(PENDING_OF_APPLICATION)
    .values(
        due_at=case(
            {REMINDER: bindparam("reminder_due", type_=UTCDateTime)},
            value=TIMERS.c.kind,
            else_=bindparam("expire_due", type_=UTCDateTime),
        )
    ),
}
_INSERT = insert(TIMERS)


def cancel_timers(bind: Session | Connection, application_id: int) -> None:
    if isinstance(bind, Session):
        bind.flush()  # a Core statement does not autoflush: the session's own changes go first
    bind.execute(TIMER_STATEMENTS[CANCEL], _of(application_id))


def move_timers(conn: Connection, action: str, application_id: int, *, settings: Settings, now: datetime) -> None:
    """Carry out a move's `action` (ARM or CANCEL) on the application's pending timers."""
    params = timer_params(action, application_id, settings=settings, now=now)
    touched = conn.execute(TIMER_STATEMENTS[action], params).rowcount
    settle_timers(conn, action, application_id, touched, settings=settings, now=now)


def timer_params(action: str, application_id: int, *, settings: Settings, now: datetime) -> dict[str, Any]:
    """The parameters of `TIMER_STATEMENTS[action]` for a move made at `now`."""
    if action != ARM:
        return _of(application_id)
    due = due_times(settings=settings, now=now)
    return _of(application_id) | {"reminder_due": due[REMINDER], "expire_due": due[EXPIRE]}


def _of(application_id: int) -> dict[str, Any]:
    return {"timers_of": application_id}  # the parameter of `PENDING_OF_APPLICATION`


def settle_timers(
    conn: Connection, action: str, application_id: int, touched: int, *, settings: Settings, now: datetime
) -> None:
    """What follows `TIMER_STATEMENTS[action]` once it touched `touched` pending timers: a re-arm that did not
    find the pair pending (a timer fired, or none was ever started) replaces them."""
    if action == ARM and touched != len(KINDS):
        replace_timers(conn, application_id, settings=settings, now=now)


def replace_timers(conn: Connection, application_id: int, *, settings: Settings, now: datetime) -> None:
    """Cancel whatever is pending and start a fresh reminder and expiry."""
    cancel_timers(conn, application_id)
    conn.execute(_INSERT, timer_values(application_id, settings=settings, now=now))


def due_times(*, settings: Settings, now: datetime) -> dict[str, datetime]:
    """When the timers of a prompt sent at `now` fall due, by kind."""
    return {
        REMINDER: now + timedelta(seconds=settings.reminder_after_seconds),
        EXPIRE: now + timedelta(seconds=settings.expire_after_seconds),
    }


def timer_values(application_id: int, *, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """The reminder and the expiry of a prompt sent at `now`, as column values."""
    return [
        {"application_id": application_id, "kind": kind, "due_at": due_at, "status": PENDING}
        | {"created_at": now, "fired_at": None}
        for kind, due_at in due_times(settings=settings, now=now).items()
    ]
