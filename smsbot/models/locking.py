"""Row locks, written once. Lock order everywhere: the application first, then its messages (an inbound reply,
a send result, a status callback, a timer and a staff action all take them in that order, so they never
deadlock). SQLite needs no row locks: its write transactions start with BEGIN IMMEDIATE and hold the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlmodel import Session, col

from smsbot.db import for_update, is_sqlite
from smsbot.models.application import Application


def lock_application(session: Session, application_id: int | None) -> Application | None:
    """The application, locked for the caller's transaction (None for no id or an unknown one)."""
    if application_id is None:
        return None
    query = for_update(session, select(Application).where(col(Application.id) == application_id))
    return session.execute(query).scalar_one_or_none()


def skip_locked(session: Session, query: Select[Any], **of: Any) -> Select[Any]:
    """A queue poll: on PostgreSQL take only rows no other worker holds; SQLite's writer already holds them all."""
    return query if is_sqlite(session.get_bind()) else query.with_for_update(skip_locked=True, **of)
