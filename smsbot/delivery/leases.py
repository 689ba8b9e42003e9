"""Leases that cannot be outlived.

A claim leases its row until `lease_until`; once that passes, another worker may claim the row and send it
(after reconciling). So the holder sends only while its lease holds for a whole provider call (`hold_for_send`,
right before each send), keeps renewing the leases of the rows still waiting in its pool (`LeaseKeeper`), and
claims no more than it can send within one lease at the pace it measures (`Pace`).

A claim is known by its row and its attempt number: every claim increments `attempts`, so a row claimed again
by someone else no longer matches, and its first holder's checks and renewals change nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.delivery.claims import Claim
from smsbot.models import Message
from smsbot.models.message_status import MessageStatus as S

LEASE_USE = 0.5  # claim what fits in half a lease at the measured pace: the other half is headroom
RENEW_FRACTION = 3  # renew the waiting rows' leases this many times per lease


def _held_by(message_id: object, attempt: object) -> ColumnElement[bool]:
    return (col(Message.id) == message_id) & (col(Message.status) == S.SENDING) & (col(Message.attempts) == attempt)


def hold_for_send(factory: sessionmaker[Session], claim: Claim, *, settings: Settings, now: datetime) -> bool:
    """True when the claim is still this worker's and its lease outlasts one provider call from `now`
    (renewing it if it would not); False when the lease ran out or another worker holds the row."""
    query = select(col(Message.lease_until)).where(_held_by(claim.sms.message_id, claim.attempt))
    with factory() as session:
        until = session.execute(query).scalar()
    if until is None or until <= now:
        return False
    if until - now >= timedelta(seconds=settings.send_time_seconds):
        return True
    with transaction(factory) as session:
        return bool(renew_leases(session, [claim], settings=settings, now=now))


def renew_leases(session: Session, claims: Iterable[Claim], *, settings: Settings, now: datetime) -> int:
    """Give each claim still held (lease not yet ended) a full lease from `now`; returns how many were renewed.
    One statement for the whole set, inside the caller's transaction."""
    rows = [{"b_id": claim.sms.message_id, "b_attempt": claim.attempt} for claim in claims]
    if not rows:
        return 0
    table = Message.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.status == S.SENDING)
        .where(table.c.attempts == bindparam("b_attempt"), table.c.lease_until > now)
        .values(lease_until=now + timedelta(seconds=settings.lease_seconds))
    )
    result = session.connection().execute(statement, rows)
    return int(result.rowcount)


class LeaseKeeper:
    """The claims of one batch not yet recorded, renewed every third of a lease while they wait in the pool (or
    wait to be recorded). Used from the worker's main thread only."""

    def __init__(self, factory: sessionmaker[Session], claims: Iterable[Claim], *, settings: Settings) -> None:
        self._factory, self._settings = factory, settings
        self._open = {claim.sms.message_id: claim for claim in claims}
        self.every = settings.lease_seconds / RENEW_FRACTION
        self._last = time.monotonic()

    def forget(self, claims: Iterable[Claim]) -> None:
        for claim in claims:
            self._open.pop(claim.sms.message_id, None)

    def renew_if_due(self, now: datetime) -> None:
        if not self._open or time.monotonic() - self._last < self.every:
            return
        with transaction(self._factory) as session:
            renew_leases(session, self._open.values(), settings=self._settings, now=now)
        self._last = time.monotonic()


class Pace:
    """How long one send takes here (a moving average, measured by the worker), hence how many rows one claim
    may take: as many as `parallel` senders finish within half a lease. Until measured, a send is assumed to
    take as long as the provider may take. Shared by the worker's send threads."""

    def __init__(self, settings: Settings, *, parallel: int) -> None:
        self._lease, self._parallel = float(settings.lease_seconds), max(1, parallel)
        self._seconds = settings.send_time_seconds
        self._lock = threading.Lock()
        self._measured = False

    def observe(self, seconds: float) -> None:
        with self._lock:
            self._seconds = seconds if not self._measured else 0.7 * self._seconds + 0.3 * seconds
            self._measured = True

    def capacity(self, limit: int) -> int:
        """Rows this worker can send within half a lease, at least one and at most `limit`."""
        with self._lock:
            fits = int(self._parallel * self._lease * LEASE_USE / max(self._seconds, 1e-3))
        return max(1, min(limit, fits))
