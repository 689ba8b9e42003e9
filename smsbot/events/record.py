"""Recording an event: one outbox row, in the caller's transaction, only when events are configured.

The body is serialised once, here, and stored: every retry and replay sends the same bytes under the same
`webhook-id`, so a lender that deduplicates on the id sees one event however often it arrives."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.events.types import EventType
from smsbot.models import utcnow
from smsbot.models.event import PENDING, EventOutbox

EVENTS = EventOutbox.__table__  # type: ignore[attr-defined]
_INSERT_EVENT = insert(EVENTS)
WEBHOOK_ID_PREFIX = "evt_"


def event_row(
    event_type: EventType, subject: Mapping[str, Any], fields: Mapping[str, Any], *, now: datetime
) -> dict[str, Any]:
    """Every column of a new event row. `subject`: the application's common fields (see `EventType`)."""
    body = {"type": event_type.value, "timestamp": _timestamp(now), "data": {**subject, **fields}}
    return {
        "webhook_id": WEBHOOK_ID_PREFIX + uuid.uuid4().hex,
        "application_id": subject["application_id"],
        "type": event_type.value,
        "payload": json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_json_value),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "lease_until": None,
        "first_attempt_at": None,
        "last_error": None,
        "created_at": now,
        "delivered_at": None,
    }


def subject_of(
    app: Any, *, cause: str, previous_state: str | None = None, after: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The common fields of an event about `app`: as it stands, or with `after` (its new `state` and
    `handoff_reason`) when the change is not written yet; `previous_state`: the state before the change."""
    now = {"state": app.state, "handoff_reason": app.handoff_reason, **(after or {})}
    return {
        "application_id": app.id,
        "external_id": app.external_id,
        "state": now["state"],
        "previous_state": previous_state or app.state,
        "handoff_reason": now["handoff_reason"],
        "cause": cause,
    }


def record_events(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert event rows, in order, in the caller's transaction (the application row locked by the caller)."""
    for row in rows:  # one at a time: the ids must follow the order of the events
        conn.execute(_INSERT_EVENT, row)


def record_event(
    session: Session,
    app: Any,
    event_type: EventType,
    *,
    settings: Settings,
    cause: str,
    previous_state: str | None = None,
    now: datetime | None = None,
    **fields: Any,
) -> bool:
    """Record one event about `app` (an application locked in this transaction, as it stands after the change)
    with the type's own `fields`; it commits or rolls back with the change. False when events are off.

    The one entry point for changes that are not conversation moves (decisions, phone changes); moves record
    theirs through `moves.write_move` and the webhook's writers."""
    if not settings.events_enabled:
        return False
    session.flush()  # the change goes first: this statement bypasses the unit of work
    subject = subject_of(app, cause=cause, previous_state=previous_state)
    record_events(session.connection(), [event_row(event_type, subject, fields, now=now or utcnow())])
    return True


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _json_value(value: object) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return _timestamp(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")
