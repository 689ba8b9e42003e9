"""Claiming due outbox rows: lease them, and apply every rule that must hold at send time.

At claim time, whatever path queued a message: an opted-out phone gets nothing but the opt-out confirmation;
an undeliverable phone gets nothing; a notice or reminder its conversation no longer waits for is withdrawn,
and one still wanted waits for its window; the same body goes to the same
phone at most twice in ten minutes; and a paced sender's claim takes about a second's worth of rows (each send
then takes its slot in `delivery.pacing`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import one_of
from smsbot.delivery.outbox import CONSENT_EXEMPT_KINDS
from smsbot.delivery.pacing import batch_limit
from smsbot.delivery.providers.base import OutboundSms
from smsbot.delivery.windows import applicant_timezone, next_allowed, window_for
from smsbot.models import OUTBOUND, Application, Message, PhoneConsent
from smsbot.models.locking import skip_locked
from smsbot.models.message_status import HANDED_OVER
from smsbot.models.message_status import MessageStatus as S
from states.waiting_texts import OUTDATED, WATCHED_KINDS, still_wanted

LOOP_WINDOW = timedelta(minutes=10)
LOOP_LIMIT = 2


@dataclass(frozen=True, slots=True)
class Claim:
    sms: OutboundSms
    reconcile: bool  # an earlier attempt's outcome is unknown: look it up before sending again
    consent_exempt: bool = False  # the opt-out confirmation itself
    attempt: int = 0  # the row's `attempts` after this claim: who holds the lease (see delivery.leases)
    watched: bool = False  # a notice or reminder: sent only while its conversation still wants it (waiting_texts)
    application_id: int | None = None
    kind: str = ""


def claim_due(session: Session, *, settings: Settings, limit: int, now: datetime) -> list[Claim]:
    """Lease up to `limit` due rows, best priority first, inside the caller's transaction."""
    query = (
        select(Message)
        .where(col(Message.direction) == OUTBOUND, _due(now))
        .order_by(col(Message.priority), col(Message.send_after), col(Message.id))
        .limit(limit)
    )
    candidates = list(session.execute(skip_locked(session, query, of=Message)).scalars())
    sendable = _apply_rules(session, candidates, settings=settings, now=now)[: batch_limit(limit, settings=settings)]
    _lease(session, sendable, until=now + timedelta(seconds=settings.lease_seconds), now=now)
    claims = []
    for message in sendable:
        reconcile = message.status == S.SENDING
        known = _known_sids(session, message) if reconcile else frozenset()
        sms = OutboundSms(message.pk, message.phone, message.body, message.created_at, known, *_template_of(message))
        exempt, watched = message.kind in CONSENT_EXEMPT_KINDS, message.kind in WATCHED_KINDS
        attempt = message.attempts + 1  # as `_lease` wrote it
        claims.append(Claim(sms, reconcile, exempt, attempt, watched, message.application_id, message.kind))
    return claims


def _lease(session: Session, messages: list[Message], *, until: datetime, now: datetime) -> None:
    """One statement for the whole claim (the rows are already locked): a flush of the loaded rows would send
    one UPDATE per row. The loaded objects keep their old values; the claims are built from them."""
    if not messages:
        return
    table = Message.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(one_of(session, table.c.id, [message.pk for message in messages]))
        .values(status=S.SENDING, attempts=table.c.attempts + 1, lease_until=until, updated_at=now)
    )
    session.connection().execute(statement)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        (col(Message.status) == S.QUEUED) & (col(Message.send_after) <= now),
        (col(Message.status) == S.SENDING) & (col(Message.lease_until) < now),
    )


def _apply_rules(session: Session, messages: list[Message], *, settings: Settings, now: datetime) -> list[Message]:
    """Suppress or hold what must not go now; return the rest in order. One query per rule per batch."""
    phones = {m.phone for m in messages}
    consents = {
        c.phone: c
        for c in session.execute(select(PhoneConsent).where(one_of(session, col(PhoneConsent.phone), phones))).scalars()
    }
    recent = _recent_sends(session, phones, now)
    apps = _windowed_applications(session, messages, settings=settings)
    sendable = []
    for message in messages:
        consent = consents.get(message.phone)
        if consent and (consent.undeliverable or (consent.opted_out and message.kind not in CONSENT_EXEMPT_KINDS)):
            _suppress(message, now, "opted_out" if consent.opted_out else "undeliverable")
        elif recent[(message.phone, message.body)] >= LOOP_LIMIT and message.status == S.QUEUED:
            _suppress(message, now, "loop_guard")
        elif _outdated(apps.get(message.application_id or 0), message):
            message.status, message.error_code, message.updated_at, message.lease_until = (
                S.CANCELLED,
                OUTDATED,
                now,
                None,
            )
        elif not _window_open(apps.get(message.application_id or 0), message, settings=settings, now=now):
            continue
        else:
            recent[(message.phone, message.body)] += 1
            sendable.append(message)
    return sendable


def _suppress(message: Message, now: datetime, reason: str) -> None:
    message.status, message.error_code, message.updated_at, message.lease_until = S.SUPPRESSED, reason, now, None


def _recent_sends(session: Session, phones: set[str], now: datetime) -> Counter[tuple[str, str]]:
    query = (
        select(col(Message.phone), col(Message.body), func.count())
        .where(
            col(Message.direction) == OUTBOUND,
            one_of(session, col(Message.phone), phones),
            col(Message.status).in_(HANDED_OVER),
            func.coalesce(col(Message.sent_at), col(Message.updated_at)) >= now - LOOP_WINDOW,
        )
        .group_by(col(Message.phone), col(Message.body))
    )
    return Counter({(phone, body): count for phone, body, count in session.execute(query).all()})


def _windowed_applications(session: Session, messages: list[Message], *, settings: Settings) -> dict[int, Application]:
    """The applications of the batch's notices and reminders (their timezone sets the window), in one query."""
    ids = {
        m.application_id
        for m in messages
        if m.application_id and (window_for(m.kind, settings) or m.kind in WATCHED_KINDS)
    }
    if not ids:
        return {}
    return {
        app.pk: app
        for app in session.execute(select(Application).where(one_of(session, col(Application.id), ids))).scalars()
    }


def _outdated(app: Application | None, message: Message) -> bool:
    """A notice or reminder its conversation no longer waits for (answered, closed, declined): withdrawn."""
    return app is not None and not still_wanted(message.kind, message.template, app.state)


def _window_open(app: Application | None, message: Message, *, settings: Settings, now: datetime) -> bool:
    """Notices and reminders wait for the applicant's window; when closed, reschedule to its opening."""
    hours = window_for(message.kind, settings)
    if hours is None or app is None:
        return True
    opening = next_allowed(now, applicant_timezone(app, settings), hours)
    if opening <= now:
        return True
    message.status, message.send_after, message.lease_until = S.QUEUED, opening, None
    return False


def _template_of(message: Message) -> tuple[str | None, dict[str, str]]:
    """The template and values a gateway sends (Message.template); nothing for free text."""
    params = json.loads(message.template_params) if message.template_params else {}
    return message.template, params if isinstance(params, dict) else {}


def _known_sids(session: Session, message: Message) -> frozenset[str]:
    query = select(col(Message.provider_sid)).where(
        col(Message.phone) == message.phone, col(Message.body) == message.body, col(Message.provider_sid).is_not(None)
    )
    return frozenset(sid for sid in session.execute(query).scalars() if sid)
