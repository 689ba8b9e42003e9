"""Leases that cannot be outlived.

A claim leases its row until `lease_until`; once that passes, another worker may claim the row and send it
(after reconciling). So the holder sends only while its lease holds for a whole provider call (`LeaseKeeper.hold`,
right before each send), keeps renewing the leases of the rows still waiting in its pool (`LeaseKeeper`), and
claims no more than it can send within one lease at the pace it measures (`Pace`).

A claim is known by its row and its attempt number: every claim increments `attempts`, so a row claimed again
by someone else no longer matches, and its first holder's checks and renewals change nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.delivery.claims import Claim
from smsbot.models import Message
from smsbot.models.message_status import MessageStatus as S

LEASE_USE = 0.5  # claim what fits in half a lease at the measured pace: the other half is headroom
RENEW_FRACTION = 3  # renew the waiting rows' leases this many times per lease


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
    """The leases of one batch's claims not yet recorded, as this worker set them.

    Another worker may claim a row only once its lease has ended, so a lease this worker set (at the claim or a
    renewal) that has a whole provider call left is still its own: `hold` needs the database only when less is
    left, and then renews the lease there first, sending nothing if the row is no longer this claim's. The
    main thread renews the waiting rows every third of a lease; the send threads call `hold`."""

    def __init__(
        self, factory: sessionmaker[Session], claims: Iterable[Claim], *, settings: Settings, claimed_at: datetime
    ) -> None:
        self._factory, self._settings = factory, settings
        until = claimed_at + timedelta(seconds=settings.lease_seconds)
        self._open = {claim.sms.message_id: claim for claim in claims}
        self._until = dict.fromkeys(self._open, until)
        self._lock = threading.Lock()
        self.every = settings.lease_seconds / RENEW_FRACTION
        self._last = time.monotonic()

    def hold(self, claim: Claim, now: datetime) -> bool:
        """True when the claim's lease outlasts one provider call from `now` (renewed first if it would not);
        False when it has ended or another worker holds the row."""
        with self._lock:
            until = self._until.get(claim.sms.message_id)
        if until is None or until <= now:
            return False
        if until - now >= timedelta(seconds=self._settings.send_time_seconds):
            return True
        with transaction(self._factory) as session:
            renewed = renew_leases(session, [claim], settings=self._settings, now=now) == 1
        self._set_until([claim] if renewed else [], now)
        return renewed

    def forget(self, claims: Iterable[Claim]) -> None:
        with self._lock:
            for claim in claims:
                self._open.pop(claim.sms.message_id, None)

    def renew_if_due(self, now: datetime) -> None:
        if not self._open or time.monotonic() - self._last < self.every:
            return
        with self._lock:
            waiting = list(self._open.values())
        with transaction(self._factory) as session:
            renewed = renew_leases(session, waiting, settings=self._settings, now=now)
        # Not knowing which rows failed, trust none of them: each finds out in `hold`.
        self._set_until(waiting if renewed == len(waiting) else [], now)
        self._last = time.monotonic()

    def _set_until(self, claims: list[Claim], now: datetime) -> None:
        with self._lock:
            for claim in claims:
                self._until[claim.sms.message_id] = now + timedelta(seconds=self._settings.lease_seconds)


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
