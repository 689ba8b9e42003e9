"""Claiming events to send: only the first undelivered event of each application, leased to one worker.

Order per application is the claim rule itself: an event is claimable only when every earlier event of its
application has been delivered, so its successor cannot be sent while it is in flight, waiting for a retry or
dead. A lease (`SMSBOT_LEASE_SECONDS`) marks the event a worker holds; if that worker dies, the event is
claimable again when the lease ends and is sent again (at least once). Each claim counts an attempt, and the
count is the claim's token: only the holder of the latest claim records the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, func, literal, or_, select, update
from sqlmodel import Session

from smsbot.events.record import EVENTS
from smsbot.models.event import DELIVERED, PENDING
from smsbot.models.locking import skip_locked

_PRIOR = EVENTS.alias("prior")


@dataclass(frozen=True, slots=True)
class EventClaim:
    id: int
    webhook_id: str
    payload: str
    attempts: int  # including this one: the claim's token
    first_attempt_at: datetime


def claim_events(session: Session, *, limit: int, lease_seconds: float, now: datetime) -> list[EventClaim]:
    """Lease up to `limit` sendable events, oldest first, inside the caller's transaction: one statement, the
    rows chosen and leased together (PostgreSQL skips rows another worker is claiming)."""
    chosen = skip_locked(session, _sendable(now).limit(limit), of=EVENTS)
    claimed = (
        session.connection()
        .execute(  # Core, not the ORM: nothing here is an object to track
            update(EVENTS)
            .where(EVENTS.c.id.in_(chosen))
            .values(
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=EVENTS.c.attempts + 1,
                first_attempt_at=func.coalesce(EVENTS.c.first_attempt_at, literal(now, EVENTS.c.first_attempt_at.type)),
            )
            .returning(EVENTS.c.id, EVENTS.c.webhook_id, EVENTS.c.payload, EVENTS.c.attempts, EVENTS.c.first_attempt_at)
        )
        .all()
    )
    return sorted((EventClaim(*row) for row in claimed), key=lambda claim: claim.id)


def _sendable(now: datetime) -> Select[tuple[int]]:
    earlier_undelivered = exists().where(
        _PRIOR.c.application_id == EVENTS.c.application_id,
        _PRIOR.c.id < EVENTS.c.id,
        _PRIOR.c.status != DELIVERED,
    )
    return (
        select(EVENTS.c.id)
        .where(
            EVENTS.c.status == PENDING,
            EVENTS.c.next_attempt_at <= now,
            or_(EVENTS.c.lease_until.is_(None), EVENTS.c.lease_until < now),
            ~earlier_undelivered,
        )
        .order_by(EVENTS.c.id)
    )
