"""What operators and admins do with deliveries: read the dead and the failing, retry one, replay a period,
count for /metrics. Each change is one transaction; none sends anything itself (the worker does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Update, and_, func, or_, select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.db import transaction
from smsbot.events.record import EVENTS
from smsbot.models import utcnow
from smsbot.models.event import DEAD, DELIVERED, PENDING

PAGE_ROWS = 200
_PRIOR = EVENTS.alias("prior")


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    application_id: int
    type: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    waiting_behind: int  # later events of the same application held back by this one


def problem_deliveries(session: Session, *, limit: int = PAGE_ROWS) -> list[Delivery]:
    """Dead deliveries, and pending ones that have failed at least once, oldest first."""
    behind = (
        select(func.count())
        .where(_PRIOR.c.application_id == EVENTS.c.application_id, _PRIOR.c.id > EVENTS.c.id)
        .where(_PRIOR.c.status != DELIVERED)
        .scalar_subquery()
    )
    failing = and_(EVENTS.c.status == PENDING, EVENTS.c.last_error.is_not(None))
    columns = [EVENTS.c[name] for name in Delivery.__annotations__ if name != "waiting_behind"]
    query = select(*columns, behind).where(or_(EVENTS.c.status == DEAD, failing)).order_by(EVENTS.c.id).limit(limit)
    return [Delivery(*row) for row in session.execute(query)]


def retry_delivery(factory: sessionmaker[Session], event_id: int) -> bool:
    """Send a dead or failing event again at once, with a fresh day of retries; False if there is no such
    event waiting (delivered meanwhile, or unknown)."""
    with transaction(factory) as session:
        result = session.execute(_resend().where(EVENTS.c.id == event_id, EVENTS.c.status.in_((DEAD, PENDING))))
        return bool(result.rowcount)  # type: ignore[attr-defined]


def replay_since(factory: sessionmaker[Session], since: datetime) -> int:
    """Send again every event recorded at or after `since` (delivered, failing or dead), in their order, under
    their own webhook ids; returns how many. Events a worker holds right now are left to it."""
    now = utcnow()
    with transaction(factory) as session:
        free = or_(EVENTS.c.lease_until.is_(None), EVENTS.c.lease_until < now)
        result = session.execute(_resend(now).where(EVENTS.c.created_at >= since, free))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _resend(now: datetime | None = None) -> Update:
    now = now or utcnow()
    return update(EVENTS).values(
        status=PENDING, next_attempt_at=now, lease_until=None, attempts=0, first_attempt_at=None, delivered_at=None
    )


def delivery_counts(session: Session) -> dict[str, int]:
    """Pending (including failing and held back) and dead events, for /metrics."""
    query = select(EVENTS.c.status, func.count()).where(EVENTS.c.status.in_((PENDING, DEAD))).group_by(EVENTS.c.status)
    counts = {PENDING: 0, DEAD: 0}
    counts.update({status: int(count) for status, count in session.execute(query)})
    return counts
