"""The audit trail: one AuditEvent per staff action (who, what, when, the fields before and after)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from smsbot.models import AuditEvent


def record_action(
    session: Session,
    app_id: int,
    staff_id: int,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    """Add the event to the caller's transaction; it commits (or rolls back) with the action itself."""
    session.add(
        AuditEvent(application_id=app_id, staff_id=staff_id, action=action, before=before, after=after, note=note)
    )
