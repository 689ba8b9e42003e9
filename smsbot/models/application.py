"""The application being confirmed, its notice versions, corrections and transition history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow


class Application(SQLModel, table=True):
    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_phone_id", "phone", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True)
    request_fingerprint: str = Field(max_length=64)
    name: str = Field(max_length=100)
    phone: str = Field(max_length=20)
    locale: str = Field(max_length=8)
    timezone: str | None = Field(default=None, max_length=64)
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(default="CNY", max_length=3)
    term_months: int | None = None
    purpose: str | None = Field(default=None, max_length=200)
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    state: str = Field(max_length=32, index=True)
    handoff_reason: str | None = Field(default=None, max_length=32)
    reprompts: int = 0
    asked_field: str | None = Field(default=None, max_length=16)
    notice_version: int = 1
    # The notice variant assigned at filing (None when the notice template has no variants); the notice's
    # later versions and its reminder use the same one, so a report by variant compares like with like.
    notice_variant: str | None = Field(default=None, max_length=32)
    assignee_id: int | None = Field(default=None, index=True)
    decision: str | None = Field(default=None, max_length=32)  # the lender's latest (states.decisions)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def pk(self) -> int:
        """The id of a stored application (flushed rows always have one)."""
        if self.id is None:
            raise ValueError("application not flushed yet")
        return self.id


class NoticeVersion(SQLModel, table=True):
    """The details as they stood each time a notice was issued; corrections add a version, never edit one."""

    __tablename__ = "notice_versions"
    __table_args__ = (UniqueConstraint("application_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id")
    version: int
    name: str = Field(max_length=100)
    amount_minor: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    term_months: int | None = None
    purpose: str | None = Field(default=None, max_length=200)
    staff_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Correction(SQLModel, table=True):
    """A correction an applicant asked for over SMS; staff verify it before the application changes."""

    __tablename__ = "corrections"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    field: str = Field(max_length=16)
    value: str = Field(sa_column=Column(Text, nullable=False))
    message_id: int | None = Field(default=None, foreign_key="messages.id")
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TransitionRecord(SQLModel, table=True):
    """Every state change with its cause: a message, a staff member, a timer, a delivery outcome."""

    __tablename__ = "transitions"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    event: str = Field(max_length=40)
    from_state: str = Field(max_length=32)
    to_state: str = Field(max_length=32)
    handoff_reason: str | None = Field(default=None, max_length=32)
    cause: str = Field(max_length=16)
    cause_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
