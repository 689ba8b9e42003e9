"""What a send's outcome does to the message, the phone and the conversation.

Accepted: the message is `accepted` (Twilio's queued/accepted) and waits for callbacks. Surely not created:
retried with backoff. Maybe created: left leased, and reconciled with the provider before any resend. Never
deliverable: the phone is blocked; unsubscribed at the provider: the phone is opted out; either way the message
is returned as an `Undeliverable` for the conversation to act on. Halted (the account or the template is at
fault, nothing was created): queued again for later, whatever its attempts, so it is never dropped. Every
attempt is recorded."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, Integer, Label, String, bindparam, func, insert, literal, select, update
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import for_update, is_sqlite, lock_keys
from smsbot.delivery.failures import Undeliverable, block_phone
from smsbot.delivery.providers.base import HALT_SECONDS, Outcome, SendResult
from smsbot.delivery.status_callbacks import apply_early_callbacks
from smsbot.models import Message, SendAttempt
from smsbot.models.locking import lock_application
from smsbot.models.message_status import MessageStatus as S
from smsbot.models.message_status import stored_status
from states.waiting_texts import OUTDATED

Sent = tuple[int, int, SendResult]  # message id, the claim's attempt number (its lease), the outcome


def record_results(session: Session, outcomes: list[Sent], *, settings: Settings, now: datetime) -> list[Undeliverable]:
    """Write the outcomes of several sends inside the caller's transaction; returns the messages that will not
    arrive. Only the lease holder's outcome counts: a row claimed again since (another attempt) is left alone.
    Acceptances, the common case, go in a fixed handful of statements for the whole group; anything else goes
    one message at a time."""
    accepted = [sent for sent in outcomes if sent[2].outcome is Outcome.SENT]
    others = [sent for sent in outcomes if sent[2].outcome is not Outcome.SENT]
    failures = [_record_other(session, sent, settings=settings, now=now) for sent in others]
    found = [failure for failure in failures if failure is not None]
    if accepted:
        found += _record_accepted(session, accepted, now=now)
    return found


def _record_accepted(session: Session, accepted: list[Sent], *, now: datetime) -> list[Undeliverable]:
    lock_keys(session, [result.sid or "" for _, _, result in accepted])  # see handle_status_callback
    marks = [(mid, attempt, stored_status(result.status), result.sid) for mid, attempt, result in accepted]
    tries = [(mid, result.outcome.value, result.sid, result.detail[:200]) for mid, _, result in accepted]
    if is_sqlite(session.get_bind()):
        _mark_and_log_each(session, marks, tries, now=now)
    else:
        _mark_and_log_at_once(session, marks, tries, now=now)
    return apply_early_callbacks(session, {result.sid or "": mid for mid, _, result in accepted})


_MESSAGES = Message.__table__  # type: ignore[attr-defined]
_ATTEMPTS = SendAttempt.__table__  # type: ignore[attr-defined]
# (message id, the claim's attempt, the status to store, the provider sid) and (message id, outcome, sid, detail)
Mark = tuple[int, int, str, str | None]
Try = tuple[int, str, str | None, str]


def _mark_and_log_each(session: Session, marks: list[Mark], tries: list[Try], *, now: datetime) -> None:
    """SQLite: one statement run per row (executemany, in process)."""
    mark_accepted = (
        update(_MESSAGES)
        .where(_MESSAGES.c.id == bindparam("b_id"), _MESSAGES.c.status == S.SENDING)  # a stale lease: no change
        .where(_MESSAGES.c.attempts == bindparam("b_attempt"))
        .values(status=bindparam("b_status"), provider_sid=bindparam("b_sid"), sent_at=now, lease_until=None)
        .values(updated_at=now, error_code=None)
    )
    connection = session.connection()
    connection.execute(
        mark_accepted, [{"b_id": m, "b_attempt": a, "b_status": status, "b_sid": sid} for m, a, status, sid in marks]
    )
    connection.execute(
        insert(_ATTEMPTS),
        [
            {"message_id": m, "outcome": outcome, "provider_sid": sid, "error_code": None, "detail": detail}
            | {"created_at": now}
            for m, outcome, sid, detail in tries
        ],
    )


def _mark_and_log_at_once(session: Session, marks: list[Mark], tries: list[Try], *, now: datetime) -> None:
    """PostgreSQL: each of the two is one statement over arrays (one text whatever the group's size), where
    executemany would send and bind one statement per row."""
    ids, attempts, statuses, sids = (list(column) for column in zip(*marks, strict=True))
    rows = select(
        _unnest(ids, Integer, "id"),
        _unnest(attempts, Integer, "attempt"),
        _unnest(statuses, String, "status"),
        _unnest(sids, String, "sid"),
    ).subquery("accepted")
    session.execute(
        update(_MESSAGES)
        .where(_MESSAGES.c.id == rows.c.id, _MESSAGES.c.status == S.SENDING)  # a stale lease changes nothing
        .where(_MESSAGES.c.attempts == rows.c.attempt)
        .values(status=rows.c.status, provider_sid=rows.c.sid, sent_at=now, lease_until=None)
        .values(updated_at=now, error_code=None)
    )
    ids, outcomes, sids, details = (list(column) for column in zip(*tries, strict=True))
    columns = ["message_id", "outcome", "provider_sid", "detail", "created_at"]
    values = select(
        _unnest(ids, Integer, "message_id"),
        _unnest(outcomes, String, "outcome"),
        _unnest(sids, String, "provider_sid"),
        _unnest(details, String, "detail"),
        literal(now, _ATTEMPTS.c.created_at.type),
    )
    session.execute(insert(_ATTEMPTS).from_select(columns, values))


def _unnest(values: list[Any], kind: type[Integer] | type[String], name: str) -> Label[Any]:
    return func.unnest(bindparam(None, values, type_=ARRAY(kind()))).label(name)


def _record_other(session: Session, sent: Sent, *, settings: Settings, now: datetime) -> Undeliverable | None:
    """Write one outcome other than an acceptance (a stale lease is ignored)."""
    message_id, attempt, result = sent
    # Lock order everywhere: the application, then its messages (an inbound reply does the same).
    app_id = session.execute(select(col(Message.application_id)).where(col(Message.id) == message_id)).scalar()
    lock_application(session, app_id)
    message = session.execute(
        for_update(session, select(Message).where(col(Message.id) == message_id))
    ).scalar_one_or_none()
    if message is None or message.status != S.SENDING or message.attempts != attempt:
        return None
    session.add(
        SendAttempt(
            message_id=message.pk,
            outcome=result.outcome.value,
            provider_sid=result.sid,
            error_code=result.error_code,
            detail=result.detail[:200],
        )
    )
    message.updated_at, message.error_code = now, result.error_code
    exhausted = message.attempts >= settings.max_send_attempts
    if result.outcome is Outcome.WITHHELD:  # the phone opted out, or the conversation moved on, since the claim
        message.status, message.lease_until = S.CANCELLED if result.error_code == OUTDATED else S.SUPPRESSED, None
    elif result.outcome is Outcome.HALTED:  # the gateway created nothing: this attempt does not count
        message.status, message.lease_until, message.attempts = S.QUEUED, None, message.attempts - 1
        message.send_after = now + timedelta(seconds=HALT_SECONDS)
    elif result.outcome is Outcome.RETRY and not exhausted:
        message.status, message.send_after, message.lease_until = S.QUEUED, now + backoff(message.attempts), None
    elif result.outcome is Outcome.UNKNOWN and not exhausted:
        message.lease_until = now + backoff(message.attempts)  # reconciled when the lease ends
    else:
        message.status, message.lease_until = S.FAILED, None
        return block_phone(
            session,
            message,
            permanent=result.outcome is Outcome.PERMANENT,
            unsubscribed=result.outcome is Outcome.UNSUBSCRIBED,
        )
    return None


def backoff(attempt: int) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8... seconds, capped at ten minutes."""
    ceiling = min(600.0, 2.0**attempt)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))
