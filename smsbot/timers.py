"""Timers are rows: one reminder after an unanswered prompt, then a handoff with `no_reply`.

Scheduling and cancelling happen inside the transaction of the move that caused them; the worker fires due
timers with the application row locked, so a reply and a timer can never both act on the same prompt."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import for_update, is_sqlite, transaction
from smsbot.models import Application, Timer, utcnow
from states.conversation_states import BOT_STATES, HandoffReason, State
from states.policy import Step

PENDING, FIRED, CANCELLED = "pending", "fired", "cancelled"
REMINDER, EXPIRE = "reminder", "expire"

# What a reminder re-sends, by the state the applicant left the conversation in.
REMINDER_TEMPLATES = {
    State.AWAITING_CONFIRMATION: "reminder",
    State.AWAITING_CORRECTION_FIELD: "field_menu",
    State.AWAITING_CORRECTION_VALUE: "reprompt_value",
}


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


def fire_due_timers(
    factory: sessionmaker[Session], *, settings: Settings, now: datetime | None = None, limit: int = 50
) -> int:
    """Fire what is due, each in its own transaction; returns how many timers were handled."""
    now = now or utcnow()
    with factory() as session:
        query = (
            select(col(Timer.id))
            .where(col(Timer.status) == PENDING, col(Timer.due_at) <= now)
            .order_by(col(Timer.due_at))
            .limit(limit)
        )
        due = list(session.execute(query).scalars())
    for timer_id in due:
        with transaction(factory) as session:
            _fire(session, timer_id, settings=settings, now=now)
    return len(due)


def _fire(session: Session, timer_id: int, *, settings: Settings, now: datetime) -> None:
    from smsbot.moves import carry_out, queue_text  # moves schedules timers: import here to avoid a cycle

    query = select(Timer).where(col(Timer.id) == timer_id, col(Timer.status) == PENDING)
    if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
        query = query.with_for_update(skip_locked=True)
    timer = session.execute(query).scalar_one_or_none()
    if timer is None:  # another worker took it, or a reply cancelled it
        return
    app = session.execute(
        for_update(session, select(Application).where(col(Application.id) == timer.application_id))
    ).scalar_one()
    timer.status, timer.fired_at = FIRED, now
    if app.state not in BOT_STATES:
        timer.status = CANCELLED
        return
    if timer.kind == REMINDER:
        carry_out(session, app, Step("do_remind"), settings=settings, cause="timer", cause_id=timer.id)
        queue_text(session, app, REMINDER_TEMPLATES[State(app.state)], settings=settings, kind=REMINDER)
    else:
        cancel_timers(session, app.pk)
        carry_out(
            session,
            app,
            Step("do_expire", handoff_reason=HandoffReason.NO_REPLY),
            settings=settings,
            cause="timer",
            cause_id=timer.id,
        )
