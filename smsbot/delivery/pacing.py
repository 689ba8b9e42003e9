"""`SMSBOT_SEND_RATE`: one sender's texts at least `1/rate` seconds apart, across every worker.

A send takes its slot right before it goes, once everything that can delay it (claim, pool, client set-up) is
behind it: slots handed out at claim time were a schedule that a late send overran, so a slow first send and
an on-time second one went out back to back. The sender's slot row is locked while a slot is taken."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import for_update, transaction
from smsbot.models import SenderSlot, utcnow

PACING_HORIZON = timedelta(seconds=1)  # claim only what this worker will send within about a second


def batch_limit(limit: int, *, settings: Settings) -> int:
    """How many rows one claim may take at this rate: about a second's worth, at least one."""
    if settings.send_rate <= 0:
        return limit
    return max(1, min(limit, int(settings.send_rate * PACING_HORIZON.total_seconds())))


def take_slot(session: Session, sender: str, *, settings: Settings, now: datetime) -> datetime:
    """The next send time of `sender`, never earlier than `now` nor than `1/rate` after the last one taken by
    any worker; inside the caller's transaction."""
    if settings.send_rate <= 0:
        return now
    row = _sender_slot(session, sender, now)
    slot = max(now, row.next_slot_at)
    row.next_slot_at = slot + timedelta(seconds=1 / settings.send_rate)
    return slot


def wait_for_slot(factory: sessionmaker[Session], sender: str, *, settings: Settings, now: datetime | None) -> None:
    """Take a slot and sleep until it (a test clock never sleeps)."""
    if settings.send_rate <= 0:
        return
    with transaction(factory) as session:
        slot = take_slot(session, sender, settings=settings, now=now or utcnow())
    if now is None:
        delay = (slot - utcnow()).total_seconds()
        if delay > 0:
            time.sleep(delay)


def _sender_slot(session: Session, sender: str, now: datetime) -> SenderSlot:
    """The sender's slot row, locked; created on first use (a concurrent creator simply wins the race)."""
    query = for_update(session, select(SenderSlot).where(col(SenderSlot.sender) == sender))
    row = session.execute(query).scalar_one_or_none()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(SenderSlot(sender=sender, next_slot_at=now))
    except IntegrityError:
        pass
    return session.execute(query).scalar_one()
