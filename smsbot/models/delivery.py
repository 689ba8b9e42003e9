"""Rows for delivery: provider status callbacks, timers, and the per-sender pacing slot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow


class DeliveryEvent(SQLModel, table=True):
    """Every status callback exactly as received, duplicates and unknown sids included."""

    __tablename__ = "delivery_events"

    id: int | None = Field(default=None, primary_key=True)
    provider_sid: str = Field(max_length=64, index=True)
    status: str = Field(max_length=16)
    error_code: str | None = Field(default=None, max_length=64)  # a gateway's codes run long
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    applied: bool = False  # whether it moved the message's status forward
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SendAttempt(SQLModel, table=True):
    """One try at handing a message to the provider, with its outcome."""

    __tablename__ = "send_attempts"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="messages.id", index=True)
    outcome: str = Field(max_length=16)
    provider_sid: str | None = Field(default=None, max_length=64)
    error_code: str | None = Field(default=None, max_length=64)  # a gateway's codes run long
    detail: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Timer(SQLModel, table=True):
    """A reminder or an expiry, due at a time; fired by the worker, cancelled by any reply or staff action."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    kind: str = Field(max_length=16)
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    fired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SenderSlot(SQLModel, table=True):
    """The next free send slot of one sender; locked while slots are handed out, so all workers share a rate."""

    __tablename__ = "sender_slots"

    sender: str = Field(primary_key=True, max_length=64)
    next_slot_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
