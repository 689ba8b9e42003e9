"""Firing due timers (a worker's job): each in its own transaction, with the application row locked, so a
reply and a timer can never both act on the same prompt. Kept apart from `timers`, which the moves themselves
use to schedule and cancel."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.moves import carry_out, queue_text
from smsbot.conversation.timers import CANCELLED, FIRED, PENDING, REMINDER, cancel_timers
from smsbot.db import transaction
from smsbot.models import Timer, utcnow
from smsbot.models.locking import lock_application, skip_locked
from states.conversation_states import BOT_STATES, HandoffReason, State
from states.policy import Step

# What a reminder re-sends, by the state the applicant left the conversation in.
REMINDER_TEMPLATES = {
    State.AWAITING_CONFIRMATION: "reminder",
    State.AWAITING_CORRECTION_FIELD: "field_menu",
    State.AWAITING_CORRECTION_VALUE: "reprompt_value",
}


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
    query = select(Timer).where(col(Timer.id) == timer_id, col(Timer.status) == PENDING)
    timer = session.execute(skip_locked(session, query)).scalar_one_or_none()
    if timer is None:  # another worker took it, or a reply cancelled it
        return
    app = lock_application(session, timer.application_id)
    assert app is not None  # timers belong to an application (foreign key)
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
