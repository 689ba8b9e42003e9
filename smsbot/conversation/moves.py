"""Carrying out a Step on an application: the state change, its record, the texts it sends, the correction.

Every path that changes a conversation (an inbound reply, a staff action, a timer, a delivery failure) goes
through here, inside the caller's transaction, with the application row already locked; so do the events for
the lender's system that a move causes (`events.from_moves`), written with the transition. A move is planned in
plain Python (`plan_move`), then written with a few prebuilt Core statements (`write_move`): the webhook's hot
path calls both on a bare connection; ORM callers use `carry_out`, which also keeps their loaded object current."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, insert, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.conversation.texts import NoticeFacts, render_text
from smsbot.conversation.timers import ARM, CANCEL, move_timers
from smsbot.delivery.outbox import outbound_row, queue_message
from smsbot.delivery.windows import applicant_timezone, next_allowed, window_for
from smsbot.events.from_moves import events_of_move
from smsbot.events.record import record_events
from smsbot.models import Application, Correction, Message, TransitionRecord, utcnow
from smsbot.models.message import PRIORITY_NOTICE, PRIORITY_REPLY
from states.conversation_states import BOT_STATES, HandoffReason, State
from states.decisions import NOTICE_TEMPLATES
from states.machine import apply_event
from states.policy import Step

BULK_KINDS = frozenset({"notice", "reminder", *NOTICE_TEMPLATES})
APPLICATIONS = Application.__table__  # type: ignore[attr-defined]
_UPDATE_APPLICATION = update(APPLICATIONS).where(APPLICATIONS.c.id == bindparam("application_pk"))
_INSERT_TRANSITION = insert(TransitionRecord.__table__)  # type: ignore[attr-defined]
_INSERT_CORRECTION = insert(Correction.__table__)  # type: ignore[attr-defined]
_INSERT_MESSAGES = insert(Message.__table__)  # type: ignore[attr-defined]


class ApplicationFacts(Protocol):
    """What a move reads from an application: a loaded `Application` or a row selected from its table."""

    id: Any
    external_id: str
    phone: str
    locale: str
    name: str
    amount_minor: int
    currency: str
    submitted_at: datetime
    timezone: str | None
    state: str
    reprompts: int
    asked_field: str | None
    handoff_reason: str | None
    notice_variant: str | None


@dataclass(frozen=True, slots=True)
class Move:
    """Everything one step writes, as column values."""

    application_id: int
    changes: dict[str, Any]  # the application's new state columns
    transition: dict[str, Any]
    correction: dict[str, Any] | None
    outbound: list[dict[str, Any]]
    timers: str | None  # ARM: fresh reminder and expiry; CANCEL: none pending; None: leave them (see `timers`)
    events: list[dict[str, Any]]  # event outbox rows for the lender's system (none when events are off)

    @property
    def state(self) -> str:
        return str(self.changes["state"])


def plan_move(
    app: ApplicationFacts,
    step: Step,
    *,
    settings: Settings,
    cause: str,
    cause_id: int | None,
    now: datetime,
    staff: str | None = None,
) -> Move | None:
    """What firing `step.event` on `app` writes; None when the step changes nothing. No I/O. `staff`: the
    username of the staff member acting (cause `staff`), named in the events."""
    if step.event is None:
        return None
    state = apply_event(app.state, step.event)
    if step.handoff_reason is not None:
        handoff_reason: str | None = step.handoff_reason.value
    else:
        handoff_reason = app.handoff_reason if state == State.HANDED_OFF else None
    if step.asked_field is not None:
        asked_field: str | None = step.asked_field.value
    else:
        asked_field = app.asked_field if state == State.AWAITING_CORRECTION_VALUE else None
    changes = {
        "state": state,
        "handoff_reason": handoff_reason,
        "reprompts": app.reprompts + 1 if step.counts_as_reprompt else 0,
        "asked_field": asked_field,
        "updated_at": now,
    }
    correction = None
    if step.correction is not None:
        field, value = step.correction
        correction = {
            "application_id": app.id,
            "field": field.value,
            "value": str(value),
            "message_id": cause_id if cause == "message" else None,
            "status": "pending",
            "created_at": now,
        }
    after = _Facts(app, changes)
    outbound = [
        outbound_row(
            application_id=app.id,
            phone=app.phone,
            now=now,
            **outbound_values(after, template, settings=settings, correction=step.correction, now=now),
        )
        for template in step.replies
    ]
    transition = {
        "application_id": app.id,
        "event": step.event,
        "from_state": app.state,
        "to_state": state,
        "handoff_reason": handoff_reason,
        "cause": cause,
        "cause_id": cause_id,
        "created_at": now,
    }
    timers = None
    if cause in ("message", "staff"):  # a reply or a person acting restarts the clock, or stops it
        timers = ARM if state in BOT_STATES else CANCEL
    events = events_of_move(app, transition, correction, staff=staff, now=now) if settings.events_enabled else []
    return Move(app.id, changes, transition, correction, outbound, timers, events)


def write_move(conn: Connection, move: Move, *, settings: Settings, now: datetime) -> None:
    """Write a planned move in the caller's transaction."""
    conn.execute(_UPDATE_APPLICATION, {"application_pk": move.application_id, **move.changes})
    if move.timers is not None:
        move_timers(conn, move.timers, move.application_id, settings=settings, now=now)
    if move.correction is not None:
        conn.execute(_INSERT_CORRECTION, move.correction)
    if move.outbound:
        conn.execute(_INSERT_MESSAGES, move.outbound)
    conn.execute(_INSERT_TRANSITION, move.transition)
    if move.events:
        record_events(conn, move.events)


def carry_out(
    session: Session,
    app: ApplicationFacts,
    step: Step,
    *,
    settings: Settings,
    cause: str,
    cause_id: int | None,
    staff: str | None = None,
) -> Move | None:
    """Fire `step.event` on a loaded `app`, record it, queue its replies and any correction; `app` shows the
    new state afterwards. No event: no change."""
    now = utcnow()
    move = plan_move(app, step, settings=settings, cause=cause, cause_id=cause_id, now=now, staff=staff)
    if move is None:
        return None
    session.flush()  # the caller's pending changes go first: the statements below bypass the unit of work
    write_move(session.connection(), move, settings=settings, now=now)
    if sa_inspect(app, raiseerr=False) is not None:  # a mapped object: it now holds what the row holds
        for key, value in move.changes.items():
            set_committed_value(app, key, value)
    return move


class _Facts:
    """An application as it reads after a move, for rendering the texts the move sends."""

    __slots__ = ("_app", "_changes")

    def __init__(self, app: ApplicationFacts, changes: dict[str, Any]) -> None:
        self._app, self._changes = app, changes

    def __getattr__(self, name: str) -> Any:
        changes = self._changes
        return changes[name] if name in changes else getattr(self._app, name)


def queue_text(
    session: Session,
    app: Application,
    template: str,
    *,
    settings: Settings,
    correction: tuple[object, int | str] | None = None,
    kind: str | None = None,
) -> Message:
    """Render `template` for `app` and put it in the outbox, held until its sending window opens."""
    values = outbound_values(app, template, settings=settings, correction=correction, kind=kind, now=utcnow())
    return queue_message(session, application_id=app.id, phone=app.phone, **values)


def outbound_values(
    app: ApplicationFacts,
    template: str,
    *,
    settings: Settings,
    now: datetime,
    correction: tuple[object, int | str] | None = None,
    kind: str | None = None,
    amount_minor: int | None = None,
) -> dict[str, Any]:
    """Body (and its template with values), kind, priority and earliest send time of a text for `app` (bulk
    import builds rows from this).
    `amount_minor` replaces the application's amount in the text (a progress notice states the lender's)."""
    field = value = None
    if correction is not None:
        field, value = str(getattr(correction[0], "value", correction[0])), correction[1]
    elif template == "reprompt_value":
        field = app.asked_field
    text = render_text(
        template,
        locale=app.locale,
        signature=settings.signature_for(app.locale),
        hotline=settings.hotline,
        facts=notice_facts(app, settings, amount_minor=amount_minor),
        field=field,
        value=value,
        variant=app.notice_variant,  # the wording assigned at filing (catalogue.assign_variant)
        templates_file=settings.templates_file,
    )
    kind = kind or template
    hours = window_for(kind, settings)
    return {
        "kind": kind,
        "body": text.body,
        "template": text.template,
        "template_params": text.params_json,
        "priority": PRIORITY_NOTICE if kind in BULK_KINDS else PRIORITY_REPLY,
        "send_after": next_allowed(now, applicant_timezone(app, settings), hours) if hours else now,
    }


def notice_facts(app: ApplicationFacts, settings: Settings, *, amount_minor: int | None = None) -> NoticeFacts:
    return NoticeFacts(
        name=app.name,
        amount_minor=app.amount_minor if amount_minor is None else amount_minor,
        currency=app.currency,
        submitted_at=app.submitted_at,
        timezone=applicant_timezone(app, settings),
    )


def hand_off(
    session: Session,
    app: Application,
    reason: HandoffReason,
    *,
    settings: Settings,
    cause: str,
    cause_id: int | None,
    event: str = "do_hand_off",
) -> Move | None:
    """Hand a conversation to staff without texting the applicant (timers, delivery failures)."""
    return carry_out(
        session, app, Step(event, handoff_reason=reason), settings=settings, cause=cause, cause_id=cause_id
    )
