"""Provider status callbacks: store every one, move a message's status only forward, note final failures.

Callbacks arrive late, twice and out of order; a late `sent` never replaces `delivered`. 30005/30006 mean the
number is gone (block it); 30003 (unreachable) may pass, so the message is retried once, later; any final
failure is returned as an `Undeliverable` for the conversation to act on."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import case, select, update
from sqlmodel import Session, col

from smsbot.db import lock_keys, one_of
from smsbot.delivery.failures import Undeliverable, block_phone
from smsbot.delivery.outbox import queue_message
from smsbot.models import DeliveryEvent, Message, utcnow
from smsbot.models.locking import lock_application
from smsbot.models.message_status import FINAL_FAILURES, RANK, stored_status

PERMANENT_CALLBACK_CODES = frozenset({"30005", "30006"})
RETRY_ONCE_CODES = frozenset({"30003"})
UNSUBSCRIBED_CODE = "21610"
RETRY_LATER = timedelta(hours=1)
ERROR_CODE_CHARS: int = DeliveryEvent.__table__.c.error_code.type.length  # type: ignore[attr-defined]


def _rank_of(column: Any) -> Any:
    return case({status: rank for status, rank in RANK.items()}, value=column, else_=0)


def record_status_callback(session: Session, form: dict[str, str]) -> tuple[bool, list[Undeliverable]]:
    """Store the callback in the caller's transaction. Returns whether it moved a known message's status
    forward, and the message if that made it a final failure."""
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "").lower()
    error_code = form.get("ErrorCode") or None
    if error_code is not None and len(error_code) > ERROR_CODE_CHARS:
        error_code = None  # not a Twilio code; the payload keeps it as received
    lock_keys(session, [sid])  # a callback racing the worker's commit of this sid waits for it
    message_id = session.execute(select(col(Message.id)).where(col(Message.provider_sid) == sid)).scalar()
    event = DeliveryEvent(
        provider_sid=sid,
        status=status[:16],
        error_code=error_code,
        message_id=message_id,
        payload=json.dumps(form, ensure_ascii=False, sort_keys=True),
    )
    session.add(event)
    if message_id is None or status not in RANK:
        return False, []  # unknown sid or status: kept for the record, otherwise ignored
    failure = apply_delivery_event(session, event, message_id)
    return event.applied, [failure] if failure else []


def apply_delivery_event(session: Session, event: DeliveryEvent, message_id: int) -> Undeliverable | None:
    """Move the message's status forward by a stored event (any provider's), and note a final failure."""
    event.message_id = message_id
    event.applied = _advance(session, message_id, event.status, event.error_code)
    if event.applied and event.status in FINAL_FAILURES:
        return _act_on_failure(session, message_id, event.error_code)
    return None


def apply_early_callbacks(session: Session, message_ids: dict[str, int]) -> list[Undeliverable]:
    """Callbacks can beat our own commit of the provider sid; once the sids are known (`sid -> message id`),
    replay what came first, in arrival order."""
    query = (
        select(DeliveryEvent)
        .where(one_of(session, col(DeliveryEvent.provider_sid), message_ids), col(DeliveryEvent.message_id).is_(None))
        .order_by(col(DeliveryEvent.id))
    )
    failures = []
    for event in session.execute(query).scalars():
        if event.status in RANK and (failure := apply_delivery_event(session, event, message_ids[event.provider_sid])):
            failures.append(failure)
    return failures


def _advance(session: Session, message_id: int, status: str, error_code: str | None) -> bool:
    """One conditional UPDATE: the status changes only if the new one ranks higher."""
    result = session.execute(
        update(Message)
        .where(col(Message.id) == message_id, _rank_of(col(Message.status)) < RANK[status])
        .values(status=stored_status(status), error_code=error_code, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _act_on_failure(session: Session, message_id: int, error_code: str | None) -> Undeliverable | None:
    app_id = session.execute(select(col(Message.application_id)).where(col(Message.id) == message_id)).scalar()
    lock_application(session, app_id)  # lock order: the application first
    message = session.get(Message, message_id, populate_existing=True)
    assert message is not None
    if error_code in RETRY_ONCE_CODES and message.retry_of is None:
        retry = queue_message(
            session,
            application_id=None,
            phone=message.phone,
            kind=message.kind,
            body=message.body,
            priority=message.priority,
            send_after=utcnow() + RETRY_LATER,
            template=message.template,
            template_params=message.template_params,
        )
        retry.application_id, retry.retry_of = message.application_id, message.id
        return None
    return block_phone(
        session,
        message,
        permanent=error_code in PERMANENT_CALLBACK_CODES,
        unsubscribed=error_code == UNSUBSCRIBED_CODE,
    )
