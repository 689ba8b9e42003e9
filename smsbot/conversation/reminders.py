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
from smsbot.conversation.timers import CANCELLED, FIRED, PENDING, REMINDER, cancel_timers, due_times
from smsbot.db import transaction
from smsbot.models import OUTBOUND, Message, Timer, utcnow
from smsbot.models.locking import lock_application, skip_locked
from smsbot.models.message_status import MessageStatus as S
from states.conversation_states import BOT_STATES, HandoffReason, State
from states.policy import Step
from states.waiting_texts import NOTICE, REMINDER_TEMPLATES


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
    held = _unsent_notice(session, app.pk)
    if held is not None and app.state in BOT_STATES:
        # The notice itself still waits (its window, a slow provider): the applicant has had nothing to answer
        # yet, so the reminder and the expiry count from the notice's own sending, not from the filing.
        timer.due_at = due_times(settings=settings, now=max(now, held.send_after))[timer.kind]
        return
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


def _unsent_notice(session: Session, app_id: int) -> Message | None:
    """The application's notice if it has not reached the provider yet (queued or being sent)."""
    query = (
        select(Message)
        .where(
            col(Message.application_id) == app_id,
            col(Message.direction) == OUTBOUND,
            col(Message.kind) == NOTICE,
            col(Message.status).in_((S.QUEUED, S.SENDING)),
        )
        .order_by(col(Message.id).desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()
