"""The worker: claim due outbound rows, send each with no database connection held, record the outcome.

A claim is a lease: a row whose worker died comes back when the lease ends, and is then reconciled with the
provider (was it created?) before it is sent again, so a crash never sends a message twice."""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot import consent
from smsbot.config import Settings
from smsbot.db import is_sqlite, transaction
from smsbot.models import OUTBOUND, Application, Message, utcnow
from smsbot.moves import carry_out, hand_off
from smsbot.outbox import CONSENT_EXEMPT_KINDS, FAILED, QUEUED, SENDING, SENT, SUPPRESSED
from smsbot.privacy import mask_phone
from smsbot.providers.base import OutboundSms, Outcome, SendResult, SmsProvider
from states.conversation_states import HandoffReason, State
from states.policy import Step

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Claim:
    sms: OutboundSms
    reconcile: bool  # a previous attempt's outcome is unknown: look it up before sending again


def drain_once(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    *,
    settings: Settings,
    limit: int = 50,
    now: datetime | None = None,
) -> int:
    """Send what is due now; returns how many rows were claimed."""
    claims = claim_due(factory, settings=settings, limit=limit, now=now or utcnow())
    for claim in claims:
        result = _send(provider, claim)
        record_result(factory, claim.sms.message_id, result, settings=settings)
    return len(claims)


def _send(provider: SmsProvider, claim: Claim) -> SendResult:
    if claim.reconcile:
        found = provider.find_sent(claim.sms)
        if found is not None:
            return found
    return provider.send(claim.sms)


def claim_due(factory: sessionmaker[Session], *, settings: Settings, limit: int, now: datetime) -> list[Claim]:
    """Lease up to `limit` due rows, best priority first. Rows for opted-out phones are suppressed here:
    consent is checked at send time, whatever path queued the message."""
    with transaction(factory) as session:
        query = (
            select(Message)
            .where(col(Message.direction) == OUTBOUND, _due(now))
            .order_by(col(Message.priority), col(Message.send_after), col(Message.id))
            .limit(limit)
        )
        if not is_sqlite(session.get_bind()):  # type: ignore[arg-type]
            query = query.with_for_update(skip_locked=True)
        claims = []
        for message in session.execute(query).scalars():
            if message.kind not in CONSENT_EXEMPT_KINDS and consent.is_opted_out(session, message.phone):
                message.status, message.updated_at = SUPPRESSED, now
                continue
            reconcile = message.status == SENDING
            message.status, message.attempts = SENDING, message.attempts + 1
            message.lease_until, message.updated_at = now + timedelta(seconds=settings.lease_seconds), now
            claims.append(
                Claim(
                    OutboundSms(int(message.id or 0), message.phone, message.body, message.created_at),
                    reconcile,
                )
            )
        return claims


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        (col(Message.status) == QUEUED) & (col(Message.send_after) <= now),
        (col(Message.status) == SENDING) & (col(Message.lease_until) < now),
    )


def record_result(factory: sessionmaker[Session], message_id: int, result: SendResult, *, settings: Settings) -> None:
    """Write the outcome of one send in its own transaction."""
    with transaction(factory) as session:
        message = session.get(Message, message_id)
        if message is None or message.status != SENDING:
            return
        now = utcnow()
        message.updated_at, message.error_code, message.lease_until = now, result.error_code, None
        if result.outcome is Outcome.SENT:
            message.status, message.provider_sid, message.sent_at = result.status or SENT, result.sid, now
        elif result.outcome is Outcome.RETRY and message.attempts < settings.max_send_attempts:
            message.status, message.send_after = QUEUED, now + backoff(message.attempts)
        elif result.outcome is Outcome.UNKNOWN and message.attempts < settings.max_send_attempts:
            # Leave it leased briefly: when the lease ends the row is reconciled before any resend.
            message.lease_until = now + backoff(message.attempts)
        else:
            _fail(session, message, result, settings=settings)
        log.info(
            "send %s to %s: %s %s",
            message.id,
            mask_phone(message.phone),
            result.outcome.value,
            result.error_code or "",
        )


def backoff(attempt: int) -> timedelta:
    """Exponential backoff with full jitter: 2, 4, 8... seconds, capped at ten minutes."""
    return timedelta(seconds=random.uniform(1, min(600, 2**attempt)))


def _fail(session: Session, message: Message, result: SendResult, *, settings: Settings) -> None:
    message.status = FAILED
    if result.outcome is Outcome.UNSUBSCRIBED:
        consent.set_opted_out(session, phone=message.phone, opted_out=True, message_id=None)
    if message.application_id is None:
        return
    app = session.get(Application, message.application_id)
    if app is None or app.state in (State.OPTED_OUT, State.CLOSED):
        return
    if result.outcome is Outcome.UNSUBSCRIBED:
        carry_out(session, app, Step("do_opt_out"), settings=settings, cause="delivery", cause_id=message.id)
    else:
        hand_off(
            session,
            app,
            HandoffReason.DELIVERY_FAILED,
            settings=settings,
            cause="delivery",
            cause_id=message.id,
            event="do_fail_delivery",
        )


def run_worker(
    factory: sessionmaker[Session], provider: SmsProvider, *, settings: Settings, stop: object | None = None
) -> None:
    """Poll forever (or until `stop.is_set()`), sleeping only when there was nothing to do."""
    while not (stop is not None and stop.is_set()):  # type: ignore[attr-defined]
        try:
            busy = drain_once(factory, provider, settings=settings)
        except Exception:  # a bad row or a lost database must not kill the worker
            log.exception("worker iteration failed")
            busy = 0
        if not busy:
            time.sleep(settings.worker_poll_seconds)
