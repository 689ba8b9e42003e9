"""The reports' own tables: what the rollup has read so far, each application's outcome, and the daily
aggregates the reports page reads (smsbot/reports/rollup.py keeps them current)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime


class ReportWatermark(SQLModel, table=True):
    """The highest id of one source table that the rollup has read (every id up to it is counted)."""

    __tablename__ = "report_watermarks"

    source: str = Field(primary_key=True, max_length=32)
    last_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class ReportOutcome(SQLModel, table=True):
    """One application's funnel as last rolled up: the aggregates hold exactly what these rows contribute, so a
    change is applied as the difference between the old row and the new one (each application counts once)."""

    __tablename__ = "report_outcomes"
    __table_args__ = (Index("ix_report_outcomes_day_application_id", "day", "application_id"),)

    application_id: int = Field(primary_key=True, foreign_key="applications.id")
    day: str = Field(max_length=10)  # the filing day, YYYY-MM-DD in SMSBOT_DEFAULT_TIMEZONE
    locale: str = Field(max_length=8)
    variant: str = Field(default="", max_length=32)  # "" when the notice had no variants
    state: str = Field(max_length=32)
    notice_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered: bool = False
    failure_codes: str = Field(default="", max_length=200)  # one code per failed message, comma-separated
    replied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    corrected: bool = False
    handoff_reason: str | None = Field(default=None, max_length=32)  # the first handoff's
    handed_off_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opted_out: bool = False
    first_action_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_action_by: int | None = None
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    settled_by: int | None = None


class ReportDaily(SQLModel, table=True):
    """Counts by filing day, locale and variant: a funnel stage (`label` ""), a handoff reason, a delivery
    error code, or a histogram bucket of a duration (`label` the bucket, or staff id and bucket)."""

    __tablename__ = "report_daily"

    day: str = Field(primary_key=True, max_length=10)
    locale: str = Field(primary_key=True, max_length=8)
    variant: str = Field(primary_key=True, max_length=32)
    measure: str = Field(primary_key=True, max_length=32)
    label: str = Field(primary_key=True, max_length=64)
    count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
