"""The conversation service: one inbound SMS is one transaction.

Lock the applicant's active application, drop duplicates by provider id, store the message (redacted), read
it, carry out the bot's move and queue its replies, then commit. The webhook answers only after the commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot import consent
from smsbot.config import Settings
from smsbot.db import for_update, transaction
from smsbot.models import INBOUND, Application, Message, utcnow
from smsbot.moves import carry_out
from smsbot.outbox import cancel_queued_for_phone, queue_message
from smsbot.privacy import mask_phone
from smsbot.texts import render
from states.conversation_states import State
from states.intents import Field, Intent, Reading
from states.policy import Step, decide
from states.reader import read_reply

log = logging.getLogger(__name__)
RECEIVED = "received"
SID_CONSTRAINT = ("uq_messages_provider_sid", "messages.provider_sid")  # as PostgreSQL and SQLite name it
NO_APPLICATION_REPLY_EVERY = timedelta(hours=24)  # answer an unknown number politely, but never loop


@dataclass(frozen=True, slots=True)
class InboundOutcome:
    message_id: int | None
    duplicate: bool
    application_id: int | None = None
    state: str | None = None
    intent: str | None = None
    moved: bool = False  # a transition was recorded


def handle_inbound(
    factory: sessionmaker[Session], *, settings: Settings, sid: str, phone: str, body: str
) -> InboundOutcome:
    """Store and act on one inbound SMS exactly once per `sid`. Safe to call concurrently and repeatedly."""
    try:
        with transaction(factory) as session:
            return _handle(session, settings=settings, sid=sid, phone=phone, body=body)
    except IntegrityError as exc:
        # The unique provider id is the duplicate check: a retry's INSERT fails and its transaction (which has
        # changed nothing else yet) rolls back. Any other integrity error is a bug and must surface.
        if not any(name in str(exc.orig) for name in SID_CONSTRAINT):
            raise
        return InboundOutcome(message_id=None, duplicate=True)


def _handle(session: Session, *, settings: Settings, sid: str, phone: str, body: str) -> InboundOutcome:
    app = lock_active_application(session, phone)
    asked = Field(app.asked_field) if app and app.asked_field else None
    reading = read_reply(body, app.state if app else "none", asked)
    message = Message(
        application_id=app.id if app else None,
        direction=INBOUND,
        phone=phone,
        body=reading.redacted_text or body,
        kind="reply",
        status=RECEIVED,
        provider_sid=sid,
    )
    session.add(message)
    session.flush()
    step = _act(session, app, reading, message, settings=settings)
    log.info(
        "inbound %s from %s intent=%s event=%s",
        message.id,
        mask_phone(phone),
        reading.intent.value,
        step.event if step else None,
    )
    return InboundOutcome(
        message.id,
        False,
        app.id if app else None,
        app.state if app else None,
        reading.intent.value,
        moved=bool(step and step.event),
    )


def _act(
    session: Session, app: Application | None, reading: Reading, message: Message, *, settings: Settings
) -> Step | None:
    if reading.intent is Intent.OPT_OUT:
        return _opt_out(session, app, message, settings=settings)
    if reading.intent is Intent.OPT_IN:
        consent.set_opted_out(session, phone=message.phone, opted_out=False, message_id=message.id)
    if app is None:
        _answer_unknown_phone(session, message, settings=settings)
        return None
    step = decide(app.state, reading, reprompts=app.reprompts, max_reprompts=settings.max_reprompts)
    carry_out(session, app, step, settings=settings, cause="message", cause_id=message.id)
    return step


def _opt_out(session: Session, app: Application | None, message: Message, *, settings: Settings) -> Step | None:
    """Opt-out wins in every state: record it, cancel what waits, move every open application, confirm once."""
    changed = consent.set_opted_out(session, phone=message.phone, opted_out=True, message_id=message.id)
    cancel_queued_for_phone(session, phone=message.phone)
    quiet = Step("do_opt_out")
    for other in _open_applications(session, message.phone):
        if other is not app:
            carry_out(session, other, quiet, settings=settings, cause="message", cause_id=message.id)
    if app is not None and app.state != State.OPTED_OUT:
        carry_out(session, app, quiet, settings=settings, cause="message", cause_id=message.id)
    if changed:
        locale = app.locale if app else _guess_locale(message.body)
        _queue_plain(session, app, message.phone, "opt_out_confirmation", locale, settings=settings)
    return quiet


def _answer_unknown_phone(session: Session, message: Message, *, settings: Settings) -> None:
    """A polite pointer to the hotline, at most once a day per phone, and never to an opted-out phone."""
    if consent.is_opted_out(session, message.phone):
        return
    since = utcnow() - NO_APPLICATION_REPLY_EVERY
    recent = session.execute(
        select(col(Message.id))
        .where(
            col(Message.phone) == message.phone,
            col(Message.kind) == "no_application",
            col(Message.created_at) >= since,
        )
        .limit(1)
    ).scalar()
    if recent is None:
        _queue_plain(session, None, message.phone, "no_application", _guess_locale(message.body), settings=settings)


def _queue_plain(
    session: Session, app: Application | None, phone: str, template: str, locale: str, *, settings: Settings
) -> None:
    """Queue a text that names no application details (it may go to a phone we know nothing about)."""
    body = render(template, locale=locale, signature=settings.signature_for(locale), hotline=settings.hotline)
    queue_message(session, application=app, phone=phone, kind=template, body=body)


def _guess_locale(text: str) -> str:
    return "zh-CN" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def lock_active_application(session: Session, phone: str) -> Application | None:
    """The phone's most recent application that is not closed, locked for this transaction.

    PostgreSQL: FOR UPDATE serialises concurrent replies from one phone. SQLite: the transaction already
    holds the database write lock (BEGIN IMMEDIATE), which serialises everything."""
    query = (
        select(Application)
        .where(col(Application.phone) == phone, col(Application.state) != State.CLOSED.value)
        .order_by(col(Application.id).desc())
        .limit(1)
    )
    return session.execute(for_update(session, query)).scalar_one_or_none()


def _open_applications(session: Session, phone: str) -> list[Application]:
    terminal = (State.CLOSED.value, State.OPTED_OUT.value)
    query = select(Application).where(col(Application.phone) == phone, col(Application.state).not_in(terminal))
    return list(session.execute(for_update(session, query.order_by(col(Application.id)))).scalars())
