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

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import for_update, lock_keys
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
    table = Message.__table__  # type: ignore[attr-defined]
    lock_keys(session, [result.sid or "" for _, _, result in accepted])  # see handle_status_callback
    mark_accepted = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == S.SENDING)  # a stale lease changes nothing
        .where(table.c.attempts == bindparam("b_attempt"))
        .values(status=bindparam("b_status"), provider_sid=bindparam("b_sid"), sent_at=now, lease_until=None)
        .values(updated_at=now, error_code=None)
    )
    connection = session.connection()
    connection.execute(
        mark_accepted,
        [
            {"b_id": mid, "b_attempt": attempt, "b_status": stored_status(result.status), "b_sid": result.sid}
            for mid, attempt, result in accepted
        ],
    )
    connection.execute(
        insert(SendAttempt.__table__),  # type: ignore[attr-defined]
        [
            {"message_id": mid, "outcome": result.outcome.value, "provider_sid": result.sid, "error_code": None}
            | {"detail": result.detail[:200], "created_at": now}
            for mid, _, result in accepted
        ],
    )
    return apply_early_callbacks(session, {result.sid or "": mid for mid, _, result in accepted})


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
