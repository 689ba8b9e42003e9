"""The outbox: every SMS is a row first, written in the transaction that caused it and sent after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from smsbot.models import OUTBOUND, Message, utcnow
from smsbot.models.message import PRIORITY_REPLY
from smsbot.models.message_status import MessageStatus as S

# Kinds that may reach an opted-out phone: only the single confirmation of the opt-out itself.
CONSENT_EXEMPT_KINDS = frozenset({"opt_out_confirmation"})


def queue_message(
    session: Session,
    *,
    application_id: int | None,
    phone: str,
    kind: str,
    body: str,
    priority: int = PRIORITY_REPLY,
    send_after: datetime | None = None,
    template: str | None = None,
    template_params: str | None = None,
) -> Message:
    """Add an outbound row to the caller's transaction; the worker sends it once that transaction commits."""
    now = utcnow()
    row = outbound_row(
        application_id=application_id,
        phone=phone,
        kind=kind,
        body=body,
        priority=priority,
        send_after=send_after or now,
        now=now,
        template=template,
        template_params=template_params,
    )
    message = Message(**row)
    session.add(message)
    return message


def outbound_row(
    *,
    application_id: int | None,
    phone: str,
    kind: str,
    body: str,
    priority: int,
    send_after: datetime,
    now: datetime,
    template: str | None = None,
    template_params: str | None = None,
) -> dict[str, Any]:
    """Every column of a new outbox row, for Core inserts (which see none of the model's Python defaults)."""
    return message_row(
        application_id=application_id,
        direction=OUTBOUND,
        phone=phone,
        kind=kind,
        body=body,
        status=S.QUEUED,
        priority=priority,
        send_after=send_after,
        now=now,
        template=template,
        template_params=template_params,
    )


def message_row(
    *,
    application_id: int | None,
    direction: str,
    phone: str,
    kind: str,
    body: str,
    status: str,
    priority: int,
    send_after: datetime,
    now: datetime,
    provider_sid: str | None = None,
    template: str | None = None,
    template_params: str | None = None,
) -> dict[str, Any]:
    """Every column of a new message row, in either direction (`template`: see Message.template)."""
    return {
        "application_id": application_id,
        "direction": direction,
        "phone": phone,
        "body": body,
        "kind": kind,
        "status": status,
        "provider_sid": provider_sid,
        "priority": priority,
        "send_after": send_after,
        "lease_until": None,
        "attempts": 0,
        "error_code": None,
        "retry_of": None,
        "created_at": now,
        "updated_at": now,
        "sent_at": None,
        "template": template,
        "template_params": template_params,
    }


def cancel_queued_for_phone(session: Session, *, phone: str) -> int:
    """Cancel everything still waiting for `phone` (an opt-out) except the opt-out confirmation itself;
    returns how many rows were cancelled."""
    result = session.execute(
        update(Message)
        .where(
            col(Message.phone) == phone,
            col(Message.direction) == OUTBOUND,
            col(Message.status) == S.QUEUED,
            col(Message.kind).not_in(CONSENT_EXEMPT_KINDS),
        )
        .values(status=S.CANCELLED, updated_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
