"""The worker's event loop: claim the sendable events, POST them side by side with no database connection held,
record the outcomes in one transaction. It runs on a thread of its own in `smsbot worker`, so a slow or
unreachable lender never holds up a text."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.events.claims import EventClaim, claim_events
from smsbot.events.outcomes import EventOutcome, record_outcomes
from smsbot.events.sender import EventSender
from smsbot.models import utcnow

log = logging.getLogger(__name__)


ROUNDS_PER_BATCH = 4  # each sender thread takes this many events of a batch in turn


def batch_size(settings: Settings) -> int:
    """Events claimed at once: enough that the claim and the record (two transactions) are shared by many
    POSTs, which measured 211 events/s at 8 a batch and 285 at 32 against the same receiver."""
    return settings.events_concurrency * ROUNDS_PER_BATCH


def lease_seconds(settings: Settings) -> float:
    """How long a claim holds its batch: the worker lease plus the worst case of every sender timing out
    (connect and read) on each of its rounds, twice, since a batch may wait in the pool behind the one before
    it (`run_event_delivery`). So a live worker never has its events claimed by another; a dead worker's
    events come back after this."""
    return settings.lease_seconds + 2 * ROUNDS_PER_BATCH * 2 * settings.events_timeout_seconds


@dataclass(frozen=True, slots=True)
class _InFlight:
    """A claimed batch whose POSTs have been handed to the pool."""

    claims: list[EventClaim]
    posts: list[Future[str | None]]


def _claim(factory: sessionmaker[Session], *, settings: Settings, now: datetime | None) -> list[EventClaim]:
    with transaction(factory) as session:
        return claim_events(
            session, limit=batch_size(settings), lease_seconds=lease_seconds(settings), now=now or utcnow()
        )


def _start(pool: Executor, sender: EventSender, claims: list[EventClaim]) -> _InFlight:
    return _InFlight(claims, [pool.submit(sender.post, claim) for claim in claims])


def _finish(factory: sessionmaker[Session], batch: _InFlight, *, settings: Settings, now: datetime | None) -> None:
    """Wait for the batch's POSTs and record their outcomes in one transaction. A crash before this commits
    leaves the batch leased: it is sent again when the lease ends."""
    outcomes = [EventOutcome(claim, post.result()) for claim, post in zip(batch.claims, batch.posts, strict=True)]
    with transaction(factory) as session:
        record_outcomes(session, outcomes, settings=settings, now=now or utcnow())
    _log(outcomes)


def deliver_events_once(
    factory: sessionmaker[Session],
    sender: EventSender,
    *,
    settings: Settings,
    pool: Executor | None = None,
    now: datetime | None = None,
) -> int:
    """Send one batch of sendable events and record what happened; returns how many were claimed."""
    claims = _claim(factory, settings=settings, now=now)
    if claims:
        with nullcontext(pool) if pool is not None else ThreadPoolExecutor(1, "event") as runner:
            _finish(factory, _start(runner, sender, claims), settings=settings, now=now)
    return len(claims)


def _log(outcomes: list[EventOutcome]) -> None:
    for outcome in outcomes:
        claim: EventClaim = outcome.claim
        if outcome.error is not None:
            log.warning("event %s attempt %d failed: %s", claim.id, claim.attempts, outcome.error)


def run_event_delivery(
    factory: sessionmaker[Session], *, settings: Settings, stop: threading.Event | None = None
) -> None:
    """Deliver events until `stop` is set, sleeping only when there was nothing to send.

    Two batches overlap: the next is claimed and queued while the one before is still being posted, and the
    one before is recorded while the next is posted, so the senders never wait on our two transactions. The
    order rule still holds: an application with an event in flight has nothing claimable (claims.py)."""
    sender = EventSender(settings)
    with ThreadPoolExecutor(settings.events_concurrency, "event") as pool:
        in_flight: _InFlight | None = None
        while not (stop is not None and stop.is_set()):
            busy = in_flight is not None  # a batch just recorded may have freed its applications' next events
            try:
                claims = _claim(factory, settings=settings, now=None)
                following = _start(pool, sender, claims) if claims else None
                if in_flight is not None:
                    _finish(factory, in_flight, settings=settings, now=None)
                in_flight = following
            except Exception:  # a lost database must not end event delivery for the worker's lifetime
                log.exception("event delivery iteration failed")
                in_flight = None  # its events come back when their lease ends, and are sent again
            if not busy and in_flight is None:
                time.sleep(settings.worker_poll_seconds)
        if in_flight is not None:
            _finish(factory, in_flight, settings=settings, now=None)
