"""What a send attempt leaves behind: delivered, or retried with exponential backoff and jitter until
`SMSBOT_EVENTS_RETRY_FOR_SECONDS` after the first attempt (a day by default), then `dead`.

The last retry is placed at that deadline, so a receiver that comes back within the day always gets one more
try. A dead event holds back its application's later events (their order is the promise) until an admin
retries it or a replay re-sends it."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.events.claims import EventClaim
from smsbot.events.record import EVENTS
from smsbot.models.event import DEAD, DELIVERED, PENDING

MAX_ERROR_CHARS = 200
# Only the holder of the latest claim records (see `claims`): a worker whose lease ran out while it waited on
# the lender's endpoint leaves the row to the worker that claimed it after.
_RECORD = (
    update(EVENTS)
    .where(
        EVENTS.c.id == bindparam("event_id"),
        EVENTS.c.attempts == bindparam("claimed_attempts"),
        EVENTS.c.status == PENDING,
    )
    .values(
        status=bindparam("new_status"),
        next_attempt_at=bindparam("retry_at"),
        lease_until=None,
        last_error=bindparam("error"),
        delivered_at=bindparam("delivered"),
    )
)


@dataclass(frozen=True, slots=True)
class EventOutcome:
    claim: EventClaim
    error: str | None  # None: the endpoint answered 2xx

    @property
    def delivered(self) -> bool:
        return self.error is None


def record_outcomes(session: Session, outcomes: Sequence[EventOutcome], *, settings: Settings, now: datetime) -> None:
    """Record a batch of attempts in one statement (executemany), in the caller's transaction."""
    if outcomes:
        session.execute(_RECORD, [_values(outcome, settings=settings, now=now) for outcome in outcomes])


def _values(outcome: EventOutcome, *, settings: Settings, now: datetime) -> dict[str, Any]:
    claim = outcome.claim
    values: dict[str, Any] = {"event_id": claim.id, "claimed_attempts": claim.attempts, "error": None}
    if outcome.delivered:
        return values | {"new_status": DELIVERED, "retry_at": now, "delivered": now}
    values |= {"error": (outcome.error or "")[:MAX_ERROR_CHARS], "delivered": None}
    deadline = claim.first_attempt_at + timedelta(seconds=settings.events_retry_for_seconds)
    if now >= deadline:
        return values | {"new_status": DEAD, "retry_at": now}
    retry_at = min(now + timedelta(seconds=retry_delay(claim.attempts, settings=settings)), deadline)
    return values | {"new_status": PENDING, "retry_at": retry_at}


def retry_delay(attempts: int, *, settings: Settings) -> float:
    """Seconds before the next try after `attempts` failed ones: doubling from SMSBOT_EVENTS_BACKOFF_SECONDS up
    to SMSBOT_EVENTS_BACKOFF_MAX_SECONDS, then a random half of it taken off, so that a receiver that comes back
    is not met by every waiting event at the same instant (and never sooner than half the step)."""
    step = min(settings.events_backoff_max_seconds, settings.events_backoff_seconds * 2 ** min(attempts - 1, 40))
    return step * random.uniform(0.5, 1.0)
