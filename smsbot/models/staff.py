"""Staff accounts, login throttling and the audit trail of everything staff do to a conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from smsbot.models.base import UTCDateTime, utcnow

AGENT = "agent"
ADMIN = "admin"
ROLES = (AGENT, ADMIN)


class StaffUser(SQLModel, table=True):
    """A person who works the inbox. Failed logins lock the account for a growing while (see staff_accounts)."""

    __tablename__ = "staff_users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(sa_column=Column(Text, nullable=False))
    role: str = Field(default=AGENT, max_length=16)
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Every session cookie carries the version it was issued under; logging out or changing the password bumps
    # it, which ends every session of the account at once (the cookies themselves cannot be recalled).
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class LoginThrottle(SQLModel, table=True):
    """Failed logins per client address, so guessing across many usernames slows down too."""

    __tablename__ = "login_throttles"

    address: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottleAccount(SQLModel, table=True):
    """The part of an address's failed logins that were on one account: what a success on that account forgives
    (and nothing more, so an attacker's own account cannot wipe the address's count)."""

    __tablename__ = "login_throttle_accounts"

    address: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(primary_key=True, foreign_key="staff_users.id")
    failures: int = 0


class AuditEvent(SQLModel, table=True):
    """One staff action on one application: who, what, when, and the fields before and after it."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="applications.id", index=True)
    staff_id: int = Field(foreign_key="staff_users.id")
    action: str = Field(max_length=32)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    note: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
