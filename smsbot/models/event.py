"""The event outbox: what happened to an application, for the lender's system, written in the transaction that
made it happen and POSTed by the worker after commit (smsbot/events/)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow

PENDING = "pending"  # waiting to be sent, or to be sent again (a lease marks the one a worker holds)
DELIVERED = "delivered"  # the lender's endpoint answered 2xx
DEAD = "dead"  # retried for SMSBOT_EVENTS_RETRY_FOR_SECONDS without success; waits for an admin or a replay
EVENT_STATUSES = (PENDING, DELIVERED, DEAD)
_PENDING_ONLY = text("status = 'pending'")


class EventOutbox(SQLModel, table=True):
    """One event and its delivery. The id orders an application's events: each is written under the
    application's row lock, so a later event of an application always has a larger id."""

    __tablename__ = "event_outbox"
    __table_args__ = (
        # The claim walks the pending events in id order and stops at its batch: a partial index keeps that walk
        # off the delivered history and off the sort of every pending row (which cost 13 ms a claim at 2,000).
        Index("ix_event_outbox_pending", "id", postgresql_where=_PENDING_ONLY, sqlite_where=_PENDING_ONLY),
        Index("ix_event_outbox_application_id_id", "application_id", "id"),
        Index("ix_event_outbox_created_at", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: str = Field(max_length=40, unique=True)  # the `webhook-id` header, the same on every retry
    application_id: int = Field(foreign_key="applications.id")
    type: str = Field(max_length=40)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # the exact body signed and sent, every time
    status: str = Field(default=PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
