"""What the staff inbox reads: the queue of conversations that need a person, and one conversation's
timeline. Read-only; no Flask here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import Session, col

from smsbot.models import (
    INBOUND,
    Application,
    AuditEvent,
    Correction,
    DecisionRecord,
    Message,
    NoticeVersion,
    PhoneChange,
    StaffUser,
    TransitionRecord,
    utcnow,
)
from smsbot.privacy import mask_phone
from states.conversation_states import HandoffReason, State

ASSIGNMENT_FILTERS = ("unassigned", "mine", "all")
QUEUE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    reason: str | None
    waiting_since: datetime
    waiting_seconds: int
    assignee: str | None
    masked_phone: str
    last_message: str | None
    last_direction: str | None


@dataclass(frozen=True, slots=True)
class Queue:
    rows: list[QueueRow]
    counts: dict[str, int]  # per assignment filter and per reason, within the other filter


def load_queue(session: Session, *, staff_id: int, assignment: str = "all", reason: str | None = None) -> Queue:
    """Handed-off conversations, oldest waiting first, filtered by assignment and handoff reason."""
    waiting = _waiting_since()
    query = (
        select(Application, waiting.label("waiting_since"), col(StaffUser.username))
        .outerjoin(StaffUser, col(StaffUser.id) == col(Application.assignee_id))
        .where(col(Application.state) == State.HANDED_OFF.value, *_filters(staff_id, assignment, reason))
        .order_by(waiting, col(Application.id))
        .limit(QUEUE_LIMIT)
    )
    found = session.execute(query).all()
    last = _last_messages(session, [app.pk for app, _, _ in found])
    now = utcnow()
    rows = [_row(app, since or app.updated_at, who, last.get(app.pk), now) for app, since, who in found]
    return Queue(rows, _counts(session, staff_id=staff_id, assignment=assignment, reason=reason))


def _waiting_since() -> Any:
    """When the conversation last entered handed_off (claiming or silence does not reset the clock)."""
    return (
        select(func.max(col(TransitionRecord.created_at)))
        .where(
            col(TransitionRecord.application_id) == col(Application.id),
            col(TransitionRecord.to_state) == State.HANDED_OFF.value,
        )
        .correlate(Application)
        .scalar_subquery()
    )


def _filters(staff_id: int, assignment: str, reason: str | None) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if assignment == "unassigned":
        filters.append(col(Application.assignee_id).is_(None))
    elif assignment == "mine":
        filters.append(col(Application.assignee_id) == staff_id)
    if reason:
        filters.append(col(Application.handoff_reason) == reason)
    return filters


def _counts(session: Session, *, staff_id: int, assignment: str, reason: str | None) -> dict[str, int]:
    """How many conversations each filter link would show, given the other filter's current choice."""
    handed_off = col(Application.state) == State.HANDED_OFF.value
    counts: dict[str, int] = {}
    for name in ASSIGNMENT_FILTERS:
        counts[name] = _count(session, select(func.count()).where(handed_off, *_filters(staff_id, name, reason)))
    by_reason = (
        select(col(Application.handoff_reason), func.count())
        .where(handed_off, *_filters(staff_id, assignment, None))
        .group_by(col(Application.handoff_reason))
    )
    per_reason = {str(r): int(n) for r, n in session.execute(by_reason).all()}
    counts |= {f"reason:{r.value}": per_reason.get(r.value, 0) for r in HandoffReason}
    counts["reason:"] = sum(per_reason.values())
    return counts


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.execute(query.select_from(Application)).scalar() or 0)


def _last_messages(session: Session, app_ids: list[int]) -> dict[int, Message]:
    """The applicant's latest words per application (what staff triage on), else the latest text we sent."""
    found = _latest(session, app_ids, inbound_only=True)
    missing = [i for i in app_ids if i not in found]
    return found | (_latest(session, missing, inbound_only=False) if missing else {})


def _latest(session: Session, app_ids: list[int], *, inbound_only: bool) -> dict[int, Message]:
    if not app_ids:
        return {}
    latest = select(func.max(col(Message.id))).where(col(Message.application_id).in_(app_ids))
    if inbound_only:
        latest = latest.where(col(Message.direction) == INBOUND)
    latest = latest.group_by(col(Message.application_id))
    messages = session.execute(select(Message).where(col(Message.id).in_(latest))).scalars()
    return {int(m.application_id or 0): m for m in messages}


def _row(app: Application, since: datetime, who: str | None, last: Message | None, now: datetime) -> QueueRow:
    return QueueRow(
        id=app.pk,
        reason=app.handoff_reason,
        waiting_since=since,
        waiting_seconds=max(0, int((now - since).total_seconds())),
        assignee=who,
        masked_phone=mask_phone(app.phone),
        last_message=last.body if last else None,
        last_direction=last.direction if last else None,
    )


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of a conversation's history; `kind` is message, transition, correction, audit, version,
    decision or phone_change."""

    at: datetime
    kind: str
    row: Any
    extra: dict[str, Any] = field(default_factory=dict)


def timeline(session: Session, app_id: int) -> list[TimelineEntry]:
    """Everything that happened to one application, oldest first (ties keep the order written)."""
    names = staff_names(session)
    entries: list[TimelineEntry] = []
    for kind, model in _TIMELINE_MODELS:
        for row in _rows(session, model, app_id):
            staff_id = _staff_of(row)
            extra = {"staff": names.get(staff_id) if staff_id is not None else None}
            entries.append(TimelineEntry(row.created_at, kind, row, extra))
    order = {kind: index for index, (kind, _) in enumerate(_TIMELINE_MODELS)}
    return sorted(entries, key=lambda e: (e.at, order[e.kind], e.row.id))


_TIMELINE_MODELS: list[tuple[str, Any]] = [
    ("message", Message),
    ("correction", Correction),
    ("version", NoticeVersion),
    ("transition", TransitionRecord),
    ("decision", DecisionRecord),
    ("phone_change", PhoneChange),
    ("audit", AuditEvent),
]


def _staff_of(row: Any) -> int | None:
    if isinstance(row, TransitionRecord):
        return row.cause_id if row.cause == "staff" else None
    return getattr(row, "staff_id", None)


def _rows(session: Session, model: Any, app_id: int) -> list[Any]:
    query = select(model).where(col(model.application_id) == app_id).order_by(col(model.id))
    return list(session.execute(query).scalars())


def staff_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.execute(select(col(StaffUser.id), col(StaffUser.username))).all()}


def notice_versions(session: Session, app_id: int) -> list[NoticeVersion]:
    return _rows(session, NoticeVersion, app_id)


def pending_corrections(session: Session, app_id: int) -> list[Correction]:
    return [c for c in _rows(session, Correction, app_id) if c.status == "pending"]
