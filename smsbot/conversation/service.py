"""The conversation service: one inbound SMS is one transaction.

Lock the applicant's active application, drop duplicates by provider id, store the message (redacted), read
it, carry out the bot's move and queue its replies, then commit. The webhook answers only after the commit.

This is the webhook's hot path, so the common case (a reply to a known application) is a handful of prebuilt
Core statements on one connection. The rare cases (opt-out, opt-in, an unknown number) open an ORM session on
that same connection and transaction."""

from __future__ import annotations

import logging
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Engine, Row, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.moves import APPLICATIONS, ApplicationFacts, Move, carry_out, plan_move
from smsbot.conversation.reply_writers import write_reply
from smsbot.conversation.texts import render_text
from smsbot.db import for_update, is_sqlite, violates_unique, writer_gate, writer_turn
from smsbot.delivery import consent
from smsbot.delivery.outbox import cancel_queued_for_phone, message_row, queue_message
from smsbot.models import INBOUND, OUTBOUND, Application, Message, utcnow
from smsbot.models.base import UTCDateTime
from smsbot.models.message import PRIORITY_REPLY
from smsbot.models.message_status import MessageStatus as S
from smsbot.privacy import mask_phone
from states.conversation_states import State
from states.intents import Field, Intent, Reading
from states.policy import Step, decide
from states.reader import read_reply

log = logging.getLogger(__name__)
NO_APPLICATION_REPLY_EVERY = timedelta(hours=24)  # answer an unknown number politely, but never loop
MESSAGES = Message.__table__  # type: ignore[attr-defined]
_INSERT_INBOUND = insert(MESSAGES).returning(MESSAGES.c.id)
_ACTIVE_APPLICATION = (
    select(*(APPLICATIONS.c[name] for name in ApplicationFacts.__annotations__), APPLICATIONS.c.updated_at)
    .where(APPLICATIONS.c.phone == bindparam("phone"))
    # An open application first, the newest of them; a closed one only when the phone has no other, so that a
    # reply to it can reach staff (policy._after_closing) without stealing replies from a conversation that waits.
    .order_by((APPLICATIONS.c.state == State.CLOSED.value).asc(), APPLICATIONS.c.id.desc())
    .limit(1)
)
_LOCK_ACTIVE_APPLICATION = _ACTIVE_APPLICATION.with_for_update()
QUOTE_MIN_CHARS = 12  # the shortest run of our own text the reader treats as a quote
_RECENT_OUTBOUND_BODIES = (
    select(MESSAGES.c.body)
    .where(MESSAGES.c.phone == bindparam("phone"), MESSAGES.c.direction == OUTBOUND)
    .order_by(MESSAGES.c.id.desc())
    .limit(10)
)


@dataclass(frozen=True, slots=True)
class InboundOutcome:
    message_id: int | None
    duplicate: bool
    application_id: int | None = None
    state: str | None = None
    intent: str | None = None
    moved: bool = False  # a transition was recorded


def handle_inbound(engine: Engine, *, settings: Settings, sid: str, phone: str, body: str) -> InboundOutcome:
    """Store and act on one inbound SMS exactly once per `sid`. Safe to call concurrently and repeatedly."""
    try:
        with writer_turn(engine), engine.connect() as conn:
            planned = _plan_from_snapshot(conn, settings=settings, phone=phone, body=body) if is_sqlite(conn) else None
            with writer_gate(engine), conn.begin():
                outcome = _write_snapshot_plan(conn, planned, settings=settings, sid=sid) if planned else None
                return outcome or _handle(conn, settings=settings, sid=sid, phone=phone, body=body)
    except (IntegrityError, sqlite3.IntegrityError) as exc:  # the latter raised by the driver itself
        # The unique provider id is the duplicate check: a retry's INSERT fails and its transaction rolls back
        # whole. Any other integrity error is a bug and must surface.
        if not violates_unique(exc, "messages", "provider_sid"):
            raise
        return InboundOutcome(message_id=None, duplicate=True)


@dataclass(frozen=True, slots=True)
class _SnapshotPlan:
    """A reply read and its move planned from a snapshot, before the write lock was taken."""

    app: Any  # a `_Snapshot`: the application's columns as stored
    phone: str
    body: str
    reading: Reading
    step: Step
    move: Move | None
    now: datetime


def _plan_from_snapshot(conn: Connection, *, settings: Settings, phone: str, body: str) -> _SnapshotPlan | None:
    """SQLite has one write lock for the whole database, so the less a writer does while holding it, the more
    replies go through: read the application from a snapshot and plan the move first; `_write_snapshot_plan` then
    writes it only if the application has not changed meanwhile. None for the rare paths, which lock first."""
    if len(body) >= QUOTE_MIN_CHARS:  # may quote our texts: read it under the lock, where they can be fetched
        return None
    app = _snapshot(conn, phone)
    if app is None:
        return None
    reading = _read(conn, app, phone, body)
    if reading.intent in (Intent.OPT_OUT, Intent.OPT_IN):
        return None
    now = utcnow()
    step = decide(app.state, reading, reprompts=app.reprompts, max_reprompts=settings.max_reprompts)
    move = plan_move(app, step, settings=settings, cause="message", cause_id=None, now=now)
    return _SnapshotPlan(app, phone, body, reading, step, move, now)


_Snapshot = namedtuple("_Snapshot", [column.name for column in _ACTIVE_APPLICATION.selected_columns])  # type: ignore[misc]


def _snapshot(conn: Connection, phone: str) -> Any:
    """The active application as stored, read by the driver outside any transaction (SQLite runs a lone
    statement on a snapshot of its own and takes no lock for it). `updated_at` stays as stored, which is exactly
    what the write's guard compares; `submitted_at` becomes the datetime the texts are rendered from."""
    sql, order, constants, submitted_at = _snapshot_statement(conn.dialect)
    values = [phone if name == "phone" else constants[name] for name in order]
    row = conn.connection.driver_connection.execute(sql, values).fetchone()  # type: ignore[union-attr]
    if row is None:
        return None
    app: Any = _Snapshot._make(row)
    return app._replace(submitted_at=submitted_at(app.submitted_at))


@lru_cache(maxsize=2)
def _snapshot_statement(dialect: Dialect) -> tuple[str, list[str], Mapping[str, Any], Callable[[Any], Any]]:
    compiled = _ACTIVE_APPLICATION.compile(dialect=dialect)
    processor = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
    return compiled.string, list(compiled.positiontup or ()), compiled.construct_params({"phone": ""}), processor


def _write_snapshot_plan(
    conn: Connection, planned: _SnapshotPlan, *, settings: Settings, sid: str
) -> InboundOutcome | None:
    """Write a snapshot plan under the write lock, if the application still reads as it did (the guard is
    the application's own UPDATE, or a SELECT when the move changes nothing); None when it changed."""
    app, move = planned.app, planned.move
    seen = {"id": app.id, "updated_at": app.updated_at, "state": app.state}
    seen |= {"reprompts": app.reprompts, "asked_field": app.asked_field}
    redacted = planned.reading.redacted_text or planned.body
    row = _inbound_row(app, sid=sid, phone=planned.phone, body=redacted, now=planned.now)
    message_id = write_reply(conn, row, move, settings=settings, now=planned.now, seen=seen)
    if message_id is None:
        return None
    return _outcome(message_id, app, planned.phone, planned.reading, planned.step, move.state if move else app.state)


def _read(conn: Connection, app: Any, phone: str, body: str) -> Reading:
    """Read a reply with what the reader needs beyond its text: the state, the field asked for, the applicant's
    name (a confirmation signed with it is still one) and, for a reply long enough to quote us, the texts we
    sent that phone (a quoted copy is cut out before reading)."""
    if app is None:
        return read_reply(body, "none")
    asked = Field(app.asked_field) if app.asked_field else None
    sent = _sent_texts(conn, phone) if len(body) >= QUOTE_MIN_CHARS else ()
    return read_reply(body, app.state, asked, applicant_name=app.name, sent_texts=sent)


def _sent_texts(conn: Connection, phone: str) -> list[str]:
    return list(conn.execute(_RECENT_OUTBOUND_BODIES, {"phone": phone}).scalars())


def _handle(conn: Connection, *, settings: Settings, sid: str, phone: str, body: str) -> InboundOutcome:
    """Lock the application first, then read and act: PostgreSQL always, SQLite for the rare paths."""
    now = utcnow()
    app = lock_active_application(conn, phone)
    reading = _read(conn, app, phone, body)
    row = _inbound_row(app, sid=sid, phone=phone, body=reading.redacted_text or body, now=now)
    step: Step | None
    if reading.intent in (Intent.OPT_OUT, Intent.OPT_IN) or app is None:
        message_id: int = conn.execute(_INSERT_INBOUND, row).scalar_one()
        with Session(bind=conn) as session:
            step, state = _act_on_session(session, app, reading, phone, message_id, body, settings=settings)
            session.flush()
    else:
        step = decide(app.state, reading, reprompts=app.reprompts, max_reprompts=settings.max_reprompts)
        move = plan_move(app, step, settings=settings, cause="message", cause_id=None, now=now)
        message_id = _store_reply(conn, row, move, settings=settings, now=now)
        state = move.state if move else app.state
    return _outcome(message_id, app, phone, reading, step, state)


def _store_reply(conn: Connection, row: dict[str, Any], move: Move | None, *, settings: Settings, now: datetime) -> int:
    """Store the inbound message and write the move it caused; returns the message's id."""
    message_id = write_reply(conn, row, move, settings=settings, now=now)
    assert message_id is not None  # only a snapshot's writes can be refused
    return message_id


def _outcome(
    message_id: int, app: Row[Any] | None, phone: str, reading: Reading, step: Step | None, state: str | None
) -> InboundOutcome:
    event = step.event if step else None
    log.info("inbound %s from %s intent=%s event=%s", message_id, mask_phone(phone), reading.intent.value, event)
    application_id = app.id if app is not None else None
    return InboundOutcome(message_id, False, application_id, state, reading.intent.value, moved=bool(event))


def _inbound_row(app: Row[Any] | None, *, sid: str, phone: str, body: str, now: datetime) -> dict[str, Any]:
    application_id = app.id if app is not None else None
    return message_row(
        application_id=application_id,
        direction=INBOUND,
        phone=phone,
        kind="reply",
        body=body,
        status=S.RECEIVED,
        priority=PRIORITY_REPLY,
        send_after=now,
        now=now,
        provider_sid=sid,
    )


def _act_on_session(
    session: Session,
    app: Row[Any] | None,
    reading: Reading,
    phone: str,
    message_id: int,
    body: str,
    *,
    settings: Settings,
) -> tuple[Step | None, str | None]:
    """The rare paths, on an ORM session: an opt-out, an opt-in, a number with no application. Returns the
    step taken and the application's state after it."""
    if reading.intent is Intent.OPT_OUT:
        return _opt_out(session, app, phone, message_id, body, settings=settings)
    if reading.intent is Intent.OPT_IN:
        consent.set_opted_out(session, phone=phone, opted_out=False, message_id=message_id)
    if app is None:
        _answer_unknown_phone(session, phone, body, settings=settings)
        return None, None
    step = decide(app.state, reading, reprompts=app.reprompts, max_reprompts=settings.max_reprompts)
    move = carry_out(session, app, step, settings=settings, cause="message", cause_id=message_id)
    return step, move.state if move else app.state


def _opt_out(
    session: Session, app: Row[Any] | None, phone: str, message_id: int, body: str, *, settings: Settings
) -> tuple[Step, str | None]:
    """Opt-out wins in every state: record it, cancel what waits, move every open application, confirm once."""
    changed = consent.set_opted_out(session, phone=phone, opted_out=True, message_id=message_id)
    cancel_queued_for_phone(session, phone=phone)
    quiet = Step("do_opt_out")
    for other in _open_applications(session, phone):
        if app is None or other.id != app.id:
            carry_out(session, other, quiet, settings=settings, cause="message", cause_id=message_id)
    state = app.state if app is not None else None
    if app is not None and app.state != State.OPTED_OUT:
        carry_out(session, app, quiet, settings=settings, cause="message", cause_id=message_id)
        state = State.OPTED_OUT.value
    if changed:
        locale = app.locale if app is not None else _guess_locale(body)
        _queue_plain(session, app, phone, "opt_out_confirmation", locale, settings=settings)
    return quiet, state


def _answer_unknown_phone(session: Session, phone: str, body: str, *, settings: Settings) -> None:
    """A polite pointer to the hotline, at most once a day per phone, and never to an opted-out phone."""
    if consent.is_opted_out(session, phone):
        return
    since = utcnow() - NO_APPLICATION_REPLY_EVERY
    recent = session.execute(
        select(col(Message.id))
        .where(col(Message.phone) == phone, col(Message.kind) == "no_application", col(Message.created_at) >= since)
        .limit(1)
    ).scalar()
    if recent is None:
        _queue_plain(session, None, phone, "no_application", _guess_locale(body), settings=settings)


def _queue_plain(
    session: Session, app: Row[Any] | None, phone: str, template: str, locale: str, *, settings: Settings
) -> None:
    """Queue a text that names no application details (it may go to a phone we know nothing about)."""
    signature = settings.signature_for(locale)
    text = render_text(
        template, locale=locale, signature=signature, hotline=settings.hotline, templates_file=settings.templates_file
    )
    queue_message(
        session,
        application_id=app.id if app is not None else None,
        phone=phone,
        kind=template,
        body=text.body,
        template=text.template,
        template_params=text.params_json,
    )


def _guess_locale(text: str) -> str:
    return "zh-CN" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


def lock_active_application(conn: Connection, phone: str) -> Row[Any] | None:
    """The phone's application a reply is for (the newest open one, else the newest closed one), locked for
    this transaction.

    PostgreSQL: FOR UPDATE serialises concurrent replies from one phone. SQLite: the transaction already
    holds the database write lock (BEGIN IMMEDIATE), which serialises everything."""
    query = _ACTIVE_APPLICATION if is_sqlite(conn) else _LOCK_ACTIVE_APPLICATION
    return conn.execute(query, {"phone": phone}).one_or_none()


def _open_applications(session: Session, phone: str) -> list[Application]:
    terminal = (State.CLOSED.value, State.OPTED_OUT.value)
    query = select(Application).where(col(Application.phone) == phone, col(Application.state).not_in(terminal))
    return list(session.execute(for_update(session, query.order_by(col(Application.id)))).scalars())
