"""What a mainland gateway pushed to us (replies and delivery reports), one row per element as received."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow


class GatewayPush(SQLModel, table=True):
    """One element of a push. `push_key` is the gateway's own identity of the element (a reply's sequence id, a
    report's biz id and phone), so a repeated push finds its row and changes nothing; a malformed element has no
    key, and is kept with the reason it was refused."""

    __tablename__ = "gateway_pushes"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # sms_up or sms_report
    push_key: str | None = Field(default=None, max_length=96, unique=True)
    problem: str | None = Field(default=None, max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
