"""Timers are rows: one reminder after an unanswered prompt, then a handoff with `no_reply`.

Scheduling and cancelling happen inside the transaction of the move that caused them; the worker fires due
timers with the application row locked, so a reply and a timer can never both act on the same prompt."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, update
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.models import Application, Timer, utcnow

PENDING, FIRED, CANCELLED = "pending", "fired", "cancelled"
REMINDER, EXPIRE = "reminder", "expire"


def cancel_timers(session: Session, application_id: int) -> None:
    session.execute(
        update(Timer)
        .where(col(Timer.application_id) == application_id, col(Timer.status) == PENDING)
        .values(status=CANCELLED)
    )


def schedule_timers(session: Session, app: Application, *, settings: Settings, now: datetime | None = None) -> None:
    """Replace the application's pending timers with a fresh reminder and expiry for its latest prompt."""
    now = now or utcnow()
    if _rearm(session, app.pk, settings=settings, now=now):
        return
    cancel_timers(session, app.pk)
    for values in timer_values(app.pk, settings=settings, now=now):
        session.add(Timer(**values))


def _rearm(session: Session, application_id: int, *, settings: Settings, now: datetime) -> bool:
    """The common case in one statement: both timers still pending, so move them instead of replacing them."""
    reminder = now + timedelta(seconds=settings.reminder_after_seconds)
    expire = now + timedelta(seconds=settings.expire_after_seconds)
    result = session.execute(
        update(Timer)
        .where(col(Timer.application_id) == application_id, col(Timer.status) == PENDING)
        .values(due_at=case({REMINDER: reminder}, value=col(Timer.kind), else_=expire))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 2)  # type: ignore[attr-defined]


def timer_values(application_id: int, *, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """The reminder and the expiry of a prompt sent at `now`, as column values."""
    return [
        {"application_id": application_id, "kind": kind, "due_at": now + timedelta(seconds=after), "status": PENDING}
        | {"created_at": now, "fired_at": None}
        for kind, after in ((REMINDER, settings.reminder_after_seconds), (EXPIRE, settings.expire_after_seconds))
    ]
