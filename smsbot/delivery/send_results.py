"""What a send's outcome does to the message, the phone and the conversation.

Accepted: the message is `accepted` (Twilio's queued/accepted) and waits for callbacks. Surely not created:
retried with backoff. Maybe created: left leased, and reconciled with the provider before any resend. Never
deliverable: the phone is blocked and a person takes over (`delivery_failed`). Unsubscribed at the provider:
the phone is opted out. Every attempt is recorded."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.delivery_failures import fail_delivery, locked_application
from smsbot.db import for_update, lock_keys
from smsbot.delivery.outbox import FAILED, QUEUED, SENDING, SUPPRESSED
from smsbot.delivery.providers.base import Outcome, SendResult
from smsbot.delivery.status_callbacks import apply_early_callbacks
from smsbot.models import Message, SendAttempt

ACCEPTED = "accepted"
# Provider statuses that only say "accepted, not yet sent"; they all map to our `accepted`.
PROVIDER_PENDING = frozenset({"accepted", "queued", "scheduled", "sending"})


def record_results(
    session: Session, outcomes: list[tuple[int, SendResult]], *, settings: Settings, now: datetime
) -> None:
    """Write the outcomes of several sends inside the caller's transaction. Acceptances, the common case, go
    in a fixed handful of statements for the whole group; anything else goes one message at a time."""
    accepted = [(message_id, result) for message_id, result in outcomes if result.outcome is Outcome.SENT]
    for message_id, result in outcomes:
        if result.outcome is not Outcome.SENT:
            _record_other(session, message_id, result, settings=settings, now=now)
    if accepted:
        _record_accepted(session, accepted, settings=settings, now=now)


def _record_accepted(
    session: Session, accepted: list[tuple[int, SendResult]], *, settings: Settings, now: datetime
) -> None:
    table = Message.__table__  # type: ignore[attr-defined]
    lock_keys(session, [result.sid or "" for _, result in accepted])  # see handle_status_callback
    mark_accepted = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == SENDING)  # a stale lease changes nothing
        .values(status=bindparam("b_status"), provider_sid=bindparam("b_sid"), sent_at=now, lease_until=None)
        .values(updated_at=now, error_code=None)
    )
    connection = session.connection()
    connection.execute(
        mark_accepted,
        [{"b_id": mid, "b_status": stored_status(result), "b_sid": result.sid} for mid, result in accepted],
    )
    connection.execute(
        insert(SendAttempt.__table__),  # type: ignore[attr-defined]
        [
            {"message_id": mid, "outcome": result.outcome.value, "provider_sid": result.sid, "error_code": None}
            | {"detail": result.detail[:200], "created_at": now}
            for mid, result in accepted
        ],
    )
    apply_early_callbacks(session, {result.sid or "": mid for mid, result in accepted}, settings=settings)


def stored_status(result: SendResult) -> str:
    status = result.status or ACCEPTED
    return ACCEPTED if status in PROVIDER_PENDING else status


def _record_other(session: Session, message_id: int, result: SendResult, *, settings: Settings, now: datetime) -> None:
    """Write one outcome other than an acceptance (a stale lease is ignored)."""
    # Lock order everywhere: the application, then its messages (an inbound reply does the same).
    app_id = session.execute(select(col(Message.application_id)).where(col(Message.id) == message_id)).scalar()
    locked_application(session, app_id)
    message = session.execute(
        for_update(session, select(Message).where(col(Message.id) == message_id))
    ).scalar_one_or_none()
    if message is None or message.status != SENDING:
        return
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
    if result.outcome is Outcome.WITHHELD:
        message.status, message.lease_until = SUPPRESSED, None
    elif result.outcome is Outcome.RETRY and not exhausted:
        message.status, message.send_after, message.lease_until = QUEUED, now + backoff(message.attempts), None
    elif result.outcome is Outcome.UNKNOWN and not exhausted:
        message.lease_until = now + backoff(message.attempts)  # reconciled when the lease ends
    else:
        message.status, message.lease_until = FAILED, None
        fail_delivery(
            session,
            message,
            permanent=result.outcome is Outcome.PERMANENT,
            unsubscribed=result.outcome is Outcome.UNSUBSCRIBED,
            settings=settings,
        )


def backoff(attempt: int) -> timedelta:
    """Exponential backoff with jitter: about 2, 4, 8... seconds, capped at ten minutes."""
    ceiling = min(600.0, 2.0**attempt)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))
