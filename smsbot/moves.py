"""Carrying out a Step on an application: the state change, its record, the texts it sends, the correction.

Every path that changes a conversation (an inbound reply, a staff action, a timer, a delivery failure) goes
through `carry_out`, inside the caller's transaction, with the application row already locked."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import timezone as phone_timezones
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.models import Application, Correction, Message, TransitionRecord, utcnow
from smsbot.models.message import PRIORITY_NOTICE, PRIORITY_REPLY
from smsbot.outbox import queue_message
from smsbot.texts import NoticeFacts, render
from smsbot.timers import cancel_timers, schedule_timers
from smsbot.windows import next_allowed, window_for
from states.conversation_states import BOT_STATES, HandoffReason, State
from states.machine import apply_event
from states.policy import Step

BULK_KINDS = frozenset({"notice", "reminder"})


def carry_out(
    session: Session, app: Application, step: Step, *, settings: Settings, cause: str, cause_id: int | None
) -> TransitionRecord | None:
    """Fire `step.event` on `app`, record it, queue its replies and any correction. No event: no change."""
    if step.event is None:
        return None
    before = app.state
    app.state = apply_event(before, step.event)
    if step.handoff_reason is not None:
        app.handoff_reason = step.handoff_reason.value
    elif app.state != State.HANDED_OFF:
        app.handoff_reason = None
    app.reprompts = app.reprompts + 1 if step.counts_as_reprompt else 0
    if step.asked_field is not None:
        app.asked_field = step.asked_field.value
    elif app.state != State.AWAITING_CORRECTION_VALUE:
        app.asked_field = None
    app.updated_at = utcnow()
    _reset_timers(session, app, step, settings=settings, cause=cause)
    if step.correction is not None:
        field, value = step.correction
        session.add(
            Correction(
                application_id=app.pk,
                field=field.value,
                value=str(value),
                message_id=cause_id if cause == "message" else None,
            )
        )
    for template in step.replies:
        queue_text(session, app, template, settings=settings, correction=step.correction)
    record = TransitionRecord(
        application_id=app.pk,
        event=step.event,
        from_state=before,
        to_state=app.state,
        handoff_reason=app.handoff_reason,
        cause=cause,
        cause_id=cause_id,
    )
    session.add(record)
    return record


def _reset_timers(session: Session, app: Application, step: Step, *, settings: Settings, cause: str) -> None:
    """A reply or a staff action cancels pending timers; if the conversation still (or again) waits for the
    applicant, fresh ones start from now."""
    if cause not in ("message", "staff"):
        return
    if app.state in BOT_STATES:
        schedule_timers(session, app, settings=settings)
    else:
        cancel_timers(session, app.pk)


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
    return queue_message(session, application=app, phone=app.phone, **values)


def outbound_values(
    app: Application,
    template: str,
    *,
    settings: Settings,
    now: datetime,
    correction: tuple[object, int | str] | None = None,
    kind: str | None = None,
) -> dict[str, Any]:
    """Body, kind, priority and earliest send time of a text for `app` (bulk import builds rows from this)."""
    field = value = None
    if correction is not None:
        field, value = str(getattr(correction[0], "value", correction[0])), correction[1]
    elif template == "reprompt_value":
        field = app.asked_field
    body = render(
        template,
        locale=app.locale,
        signature=settings.signature_for(app.locale),
        hotline=settings.hotline,
        facts=notice_facts(app, settings),
        field=field,
        value=value,
    )
    kind = kind or template
    hours = window_for(kind, settings)
    return {
        "kind": kind,
        "body": body,
        "priority": PRIORITY_NOTICE if kind in BULK_KINDS else PRIORITY_REPLY,
        "send_after": next_allowed(now, applicant_timezone(app, settings), hours) if hours else now,
    }


def notice_facts(app: Application, settings: Settings) -> NoticeFacts:
    return NoticeFacts(
        name=app.name,
        amount_minor=app.amount_minor,
        currency=app.currency,
        submitted_at=app.submitted_at,
        timezone=applicant_timezone(app, settings),
    )


def applicant_timezone(app: Application, settings: Settings) -> str:
    """The applicant's timezone: as filed, else guessed from the phone's country, else the default."""
    return app.timezone or guess_timezone(app.phone) or settings.default_timezone


@lru_cache(maxsize=4096)
def guess_timezone(phone: str) -> str | None:
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None


def hand_off(
    session: Session,
    app: Application,
    reason: HandoffReason,
    *,
    settings: Settings,
    cause: str,
    cause_id: int | None,
    event: str = "do_hand_off",
) -> TransitionRecord | None:
    """Hand a conversation to staff without texting the applicant (timers, delivery failures)."""
    return carry_out(
        session, app, Step(event, handoff_reason=reason), settings=settings, cause=cause, cause_id=cause_id
    )
