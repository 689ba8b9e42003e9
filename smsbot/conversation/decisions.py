"""A decision the lender reports: recorded in the application's history with cause `api`, and its progress
notice queued through the outbox, in one transaction. The order rule lives in `states.decisions`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.moves import carry_out, outbound_values
from smsbot.conversation.timers import cancel_timers
from smsbot.db import transaction, violates_unique
from smsbot.delivery import consent
from smsbot.delivery.outbox import message_row
from smsbot.events.record import record_event
from smsbot.events.types import EventType
from smsbot.models import OUTBOUND, Application, DecisionRecord, Message, utcnow
from smsbot.models.locking import lock_application
from smsbot.models.message_status import MessageStatus as S
from states.conversation_states import State
from states.decisions import ENDING, WITH_AMOUNT, may_follow, notice_template
from states.policy import Step

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DecisionReport:
    """What the lender sent; `fingerprint` identifies its content (a retry has the same one)."""

    decision_id: str
    status: str
    amount_minor: int | None
    note: str | None
    fingerprint: str


class DecisionRefused(Exception):
    """Nothing changed. `code`: not_found, conflict (the decision_id holds other content) or out_of_order."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def record_decision(factory: sessionmaker[Session], app_id: int, report: DecisionReport, *, settings: Settings) -> bool:
    """Record `report` on the application and queue its progress notice; True when it was new, False for a retry
    of the same content (nothing is queued again). Raises DecisionRefused and changes nothing otherwise."""
    try:
        with transaction(factory) as session:
            return _record(session, app_id, report, settings=settings)
    except IntegrityError as exc:
        if not violates_unique(exc, "decisions", "decision_id"):
            raise
        with transaction(factory) as session:  # lost a race with the same decision_id: answer as a retry
            return _retry(session, app_id, report)


def _record(session: Session, app_id: int, report: DecisionReport, *, settings: Settings) -> bool:
    app = lock_application(session, app_id)  # first: two reports for one application are serialised here
    if app is None:
        raise DecisionRefused("not_found", "no such application")
    if _find(session, report.decision_id) is not None:
        return _retry(session, app_id, report)
    if not may_follow(app.decision, report.status):
        raise DecisionRefused(
            "out_of_order", f"a {report.status} decision cannot follow {app.decision} (see the allowed order)"
        )
    row = DecisionRecord(
        application_id=app.pk,
        decision_id=report.decision_id,
        fingerprint=report.fingerprint,
        status=report.status,
        amount_minor=report.amount_minor,
        note=report.note,
    )
    session.add(row)
    session.flush()
    before = app.state
    notice = _queue_notice(session, app, report, settings=settings)
    row.message_id = notice.id
    _move(session, app, report.status, decision_pk=int(row.id or 0), settings=settings)
    app.decision = report.status
    decision_notified(
        session, app, row, previous_state=before, suppressed=notice.status == S.SUPPRESSED, settings=settings
    )
    return True


def _move(session: Session, app: Application, status: str, *, decision_pk: int, settings: Settings) -> None:
    """Declined and withdrawn close the conversation (an opted-out one stays opted out); the rest leave it."""
    ends = status in ENDING and app.state != State.OPTED_OUT
    event = "do_end_by_decision" if ends else "do_record_decision"
    carry_out(session, app, Step(event), settings=settings, cause="api", cause_id=decision_pk)
    if status in ENDING:
        cancel_timers(session, app.pk)  # no reminder asks for a 1 / 2 about a loan that is no longer reviewed
        app.assignee_id = None


def _queue_notice(session: Session, app: Application, report: DecisionReport, *, settings: Settings) -> Message:
    """The progress notice, held for the notice window; kept as `suppressed`, never sent, when the phone opted
    out (the worker checks consent again when it sends)."""
    now = utcnow()
    amount = (report.amount_minor or app.amount_minor) if report.status in WITH_AMOUNT else None
    values = outbound_values(app, notice_template(report.status), settings=settings, now=now, amount_minor=amount)
    opted_out = app.state == State.OPTED_OUT or consent.is_opted_out(session, app.phone)
    status = S.SUPPRESSED if opted_out else S.QUEUED
    message = Message(
        **message_row(application_id=app.pk, direction=OUTBOUND, phone=app.phone, status=status, now=now, **values)
    )
    session.add(message)
    session.flush()
    return message


def decision_notified(
    session: Session,
    app: Application,
    decision: DecisionRecord,
    *,
    previous_state: str,
    suppressed: bool,
    settings: Settings,
) -> None:
    """The one place a decision is known to be recorded and its notice queued (in the caller's transaction):
    whatever else must follow a notified decision is added here. `previous_state`: the conversation's state
    before the decision (a decline closes it); `suppressed`: the notice is kept unsent (the phone opted out)."""
    log.info("decision %s on application %s: %s", decision.id, app.id, decision.status)
    record_event(
        session,
        app,
        EventType.DECISION_NOTIFIED,
        settings=settings,
        cause="api",
        previous_state=previous_state,
        decision_id=decision.decision_id,
        status=decision.status,
        message_id=decision.message_id,
        notice_suppressed=suppressed,
    )


def _retry(session: Session, app_id: int, report: DecisionReport) -> bool:
    found = _find(session, report.decision_id)
    if found is None or found.application_id != app_id or found.fingerprint != report.fingerprint:
        raise DecisionRefused("conflict", "decision_id already used for a decision with different content")
    return False


def _find(session: Session, decision_id: str) -> DecisionRecord | None:
    query = select(DecisionRecord).where(col(DecisionRecord.decision_id) == decision_id)
    return session.execute(query).scalar_one_or_none()


def decisions_of(session: Session, app_id: int) -> list[DecisionRecord]:
    query = select(DecisionRecord).where(col(DecisionRecord.application_id) == app_id)
    return list(session.execute(query.order_by(col(DecisionRecord.id))).scalars())
