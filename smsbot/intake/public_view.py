"""The application as the API (and the staff inbox) shows it: details, messages, corrections, history."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from smsbot.models import (
    Application,
    Correction,
    DecisionRecord,
    Message,
    NoticeVersion,
    PhoneChange,
    TransitionRecord,
)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def amount_of(amount_minor: int) -> int | float:
    value = Decimal(amount_minor) / 100
    return int(value) if value == value.to_integral_value() else float(value)


def summary(app: Application) -> dict[str, Any]:
    return {
        "id": app.id,
        "external_id": app.external_id,
        "state": app.state,
        "handoff_reason": app.handoff_reason,
        "applicant": {"name": app.name, "phone": app.phone, "locale": app.locale, "timezone": app.timezone},
        "amount": amount_of(app.amount_minor),
        "currency": app.currency,
        "term_months": app.term_months,
        "purpose": app.purpose,
        "submitted_at": iso(app.submitted_at),
        "notice_version": app.notice_version,
        "decision": app.decision,
        "created_at": iso(app.created_at),
        "updated_at": iso(app.updated_at),
    }


def detail(session: Session, app: Application) -> dict[str, Any]:
    """Everything about one application, oldest first within each list."""
    return summary(app) | {
        "messages": [_message(m) for m in _rows(session, Message, app.id)],
        "corrections": [_correction(c) for c in _rows(session, Correction, app.id)],
        "transitions": [_transition(t) for t in _rows(session, TransitionRecord, app.id)],
        "notice_versions": [_version(v) for v in _rows(session, NoticeVersion, app.id)],
        "decisions": [_decision(d) for d in _rows(session, DecisionRecord, app.id)],
        "phone_changes": [_phone_change(p) for p in _rows(session, PhoneChange, app.id)],
    }


def _rows(session: Session, model: Any, app_id: int | None) -> list[Any]:
    query = select(model).where(col(model.application_id) == app_id).order_by(col(model.id))
    return list(session.execute(query).scalars())


def _message(m: Message) -> dict[str, Any]:
    return {
        "id": m.id,
        "direction": m.direction,
        "kind": m.kind,
        "body": m.body,
        "status": m.status,
        "error_code": m.error_code,
        "created_at": iso(m.created_at),
        "sent_at": iso(m.sent_at),
        "updated_at": iso(m.updated_at),
    }


def _correction(c: Correction) -> dict[str, Any]:
    return {
        "id": c.id,
        "field": c.field,
        "value": c.value,
        "status": c.status,
        "message_id": c.message_id,
        "created_at": iso(c.created_at),
    }


def _transition(t: TransitionRecord) -> dict[str, Any]:
    return {
        "event": t.event.removeprefix("do_"),
        "from_state": t.from_state or None,
        "to_state": t.to_state,
        "handoff_reason": t.handoff_reason,
        "cause": {"type": t.cause, "id": t.cause_id},
        "created_at": iso(t.created_at),
    }


def _version(v: NoticeVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "name": v.name,
        "amount": amount_of(v.amount_minor),
        "currency": v.currency,
        "term_months": v.term_months,
        "purpose": v.purpose,
        "staff_id": v.staff_id,
        "created_at": iso(v.created_at),
    }


def _decision(d: DecisionRecord) -> dict[str, Any]:
    return {
        "decision_id": d.decision_id,
        "status": d.status,
        "amount": None if d.amount_minor is None else amount_of(d.amount_minor),
        "note": d.note,
        "message_id": d.message_id,
        "created_at": iso(d.created_at),
    }


def _phone_change(p: PhoneChange) -> dict[str, Any]:
    return {
        "old_phone": p.old_phone,
        "new_phone": p.new_phone,
        "verified_by": p.verified_by,
        "cause": {"type": p.cause, "id": p.staff_id},
        "notice_version": p.notice_version,
        "notice_suppressed": p.notice_suppressed,
        "created_at": iso(p.created_at),
    }
