"""What the lender tells us after filing: its decisions, and numbers that changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow


class DecisionRecord(SQLModel, table=True):
    """One decision as the lender reported it; `decision_id` is the lender's key, so a retry is recognised."""

    __tablename__ = "decisions"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    decision_id: str = Field(max_length=100, unique=True)
    fingerprint: str = Field(max_length=64)
    status: str = Field(max_length=32)
    amount_minor: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PhoneChange(SQLModel, table=True):
    """The application moved from one number to another; who verified the new one and how."""

    __tablename__ = "phone_changes"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    old_phone: str = Field(max_length=20)
    new_phone: str = Field(max_length=20)
    verified_by: str = Field(sa_column=Column(Text, nullable=False))
    cause: str = Field(max_length=16)
    staff_id: int | None = None
    notice_version: int
    notice_suppressed: bool = False  # the new number had opted out: the notice is kept, not sent
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
