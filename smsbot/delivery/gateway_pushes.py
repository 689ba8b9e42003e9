"""Store each element of a gateway push once, and apply delivery reports to our messages.

A push is repeated until we answer it, and may be repeated after; pushes of reports arrive late and out of
order. So every element is recorded under its own key (`GatewayPush.push_key`) and a key seen before changes
nothing; a report moves a message's status only forward (`status_callbacks.apply_delivery_event`)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import Session, col

from smsbot.db import lock_keys
from smsbot.delivery.failures import Undeliverable
from smsbot.delivery.gateway_elements import Report
from smsbot.delivery.status_callbacks import apply_delivery_event
from smsbot.models import OUTBOUND, DeliveryEvent, GatewayPush, Message
from smsbot.models.message_status import HANDED_OVER
from smsbot.models.message_status import MessageStatus as S

SMS_UP, SMS_REPORT = "sms_up", "sms_report"
# What a report may move: a send the gateway has. One still `sending` (or queued again for a resend) is not yet
# recorded as handed over, and the worker's own commit would not see a status moved under it: such a report
# waits for the provider sid, as an early Twilio callback does (`apply_early_callbacks`). A cancelled or
# suppressed message was never sent, and no report moves it.
REPORTABLE = frozenset(HANDED_OVER) - {S.SENDING}


def raw_payload(element: object) -> str:
    """The element as received, in a form every database stores: JSON escapes NUL and lone surrogates."""
    return json.dumps(element, ensure_ascii=True, sort_keys=True)


def store_malformed(session: Session, kind: str, element: object, problem: str) -> None:
    session.add(GatewayPush(kind=kind, push_key=None, problem=problem, payload=raw_payload(element)))


def store_once(session: Session, kind: str, key: str, element: object) -> bool:
    """Record the element under `key` in the caller's transaction; False when it was recorded before. The key
    is locked first, so two deliveries of one push in flight at once are one after the other."""
    lock_keys(session, [key])
    seen = session.execute(select(col(GatewayPush.id)).where(col(GatewayPush.push_key) == key)).scalar()
    if seen is not None:
        return False
    session.add(GatewayPush(kind=kind, push_key=key, payload=raw_payload(element)))
    session.flush()
    return True


def record_report(session: Session, report: Report, element: object) -> tuple[bool, list[Undeliverable]]:
    """Store a delivery report as a delivery event and apply it to the message it is about. Returns whether it
    moved a status forward, and the message if that made it a final failure."""
    lock_keys(session, [report.sid])  # a report racing the worker's commit of this send waits for it
    message = _reported_message(session, report)
    event = DeliveryEvent(
        provider_sid=report.sid,
        status=S.DELIVERED if report.success else S.UNDELIVERED,
        error_code=None if report.success else report.err_code,
        message_id=None,
        payload=raw_payload(element),
    )
    session.add(event)
    if message is None or message.status not in REPORTABLE:
        return False, []  # unknown, or kept for the worker to replay once the send is recorded
    failure = apply_delivery_event(session, event, message.pk)
    return event.applied, [failure] if failure else []


def _reported_message(session: Session, report: Report) -> Message | None:
    """Our id first (OutId, which we set); else the provider's id, checked against the phone."""
    if report.out_id is not None:
        message = session.get(Message, report.out_id)
        if message is not None and message.direction == OUTBOUND and message.phone == report.phone:
            return message
    query = select(Message).where(col(Message.provider_sid) == report.sid, col(Message.phone) == report.phone)
    return session.execute(query).scalars().first()
