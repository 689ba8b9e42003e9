"""SMS in both directions (the outbox is the outbound rows) and per-phone consent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, false
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow

INBOUND = "in"
OUTBOUND = "out"

# Send priority: replies to a person who is waiting go before bulk notices.
PRIORITY_REPLY = 0
PRIORITY_NOTICE = 10


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_outbox", "status", "priority", "send_after"),
        Index("ix_messages_phone_id", "phone", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int | None = Field(default=None, foreign_key="applications.id", index=True)
    direction: str = Field(max_length=3)
    phone: str = Field(max_length=20)
    body: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=32)
    status: str = Field(max_length=16)
    provider_sid: str | None = Field(default=None, max_length=64, unique=True)
    priority: int = PRIORITY_REPLY
    send_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    error_code: str | None = Field(default=None, max_length=64)  # a gateway's codes run long (isv.BUSINESS_...)
    retry_of: int | None = Field(default=None, foreign_key="messages.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The template entry the text was rendered from (`notice.a`) and its values (JSON): a template gateway
    # sends these instead of the body. Empty for free text (a staff reply).
    template: str | None = Field(default=None, max_length=64)
    template_params: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    @property
    def pk(self) -> int:
        if self.id is None:
            raise ValueError("message not flushed yet")
        return self.id


class PhoneConsent(SQLModel, table=True):
    """Our own record of who said stop; kept for as long as the relationship lasts."""

    __tablename__ = "phone_consents"

    phone: str = Field(primary_key=True, max_length=20)
    opted_out: bool = False
    undeliverable: bool = Field(
        default=False, sa_column_kwargs={"server_default": false()}
    )  # a permanent delivery error: nothing more is sent until staff clear it
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    message_id: int | None = None
