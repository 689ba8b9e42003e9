"""What staff do to a conversation: claim it, reply, and settle it. No Flask here; the web layer translates.

Each action is one transaction that locks the application row first, checks who holds the conversation
(staff.permissions), changes it through `moves.carry_out` (so the transition is recorded with cause `staff`) and
writes one AuditEvent (staff.audit). A refused action raises `Refusal` and changes nothing.

Settling (resend, apply correction, confirm, close, release) gives the conversation back: the assignment is
cleared and the audit trail keeps who settled it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.lint import lint
from smsbot.conversation.moves import carry_out
from smsbot.conversation.phone_changes import PhoneChangeOutcome, PhoneChangeRefused, move_to_phone
from smsbot.conversation.texts import signature_prefix
from smsbot.conversation.timers import cancel_timers
from smsbot.conversation.versions import notice_version_values
from smsbot.db import transaction
from smsbot.delivery import consent
from smsbot.delivery.outbox import queue_message
from smsbot.delivery.segments import MAX_BODY_CHARS
from smsbot.intake.fields import NOTE
from smsbot.models import Application, Correction, NoticeVersion, utcnow
from smsbot.phones import PhoneError, canonical_phone
from smsbot.staff.audit import record_action
from smsbot.staff.permissions import Actor, Refusal, holder_name, locked_application, require_admin, require_holder
from smsbot.staff.template_replies import templates_only
from smsbot.staff.values import EDITABLE_FIELDS, field_value, parse_value, plain_text, set_field
from states.machine import can_fire
from states.policy import Step

MAX_NOTE_CHARS = NOTE.max_length
Edit = Callable[[Session, Application], tuple[dict[str, Any], dict[str, Any]]]


def claim(factory: sessionmaker[Session], app_id: int, actor: Actor) -> str:
    """Take an unassigned conversation with one conditional UPDATE, so of two simultaneous claims exactly one
    wins. Returns the holder's username afterwards: the actor's own when the claim won (or they held it)."""
    with transaction(factory) as session:
        won = session.execute(
            update(Application)
            .where(col(Application.id) == app_id, col(Application.assignee_id).is_(None))
            .values(assignee_id=actor.id)
        )
        if won.rowcount == 1:  # type: ignore[attr-defined]
            record_action(session, app_id, actor.id, "claim", None, {"assignee": actor.username})
            return actor.username
        if session.get(Application, app_id) is None:
            raise Refusal("not_found")
        return holder_name(session, app_id) or ""


def take_over(factory: sessionmaker[Session], app_id: int, actor: Actor) -> None:
    """Admins only: move a conversation held by someone else to the actor."""
    require_admin(actor)
    with transaction(factory) as session:
        app = locked_application(session, app_id)
        before = holder_name(session, app_id)
        app.assignee_id = actor.id
        record_action(session, app_id, actor.id, "take_over", {"assignee": before}, {"assignee": actor.username})


def unassign(factory: sessionmaker[Session], app_id: int, actor: Actor) -> None:
    """Put a held conversation back in the unassigned queue (its holder or an admin)."""
    with transaction(factory) as session:
        app = locked_application(session, app_id)
        require_holder(session, app, actor)
        app.assignee_id = None
        record_action(session, app_id, actor.id, "unassign", {"assignee": actor.username}, {"assignee": None})


def send_reply(factory: sessionmaker[Session], app_id: int, actor: Actor, body: str, *, settings: Settings) -> int:
    """Queue a staff reply (signed with the lender's name) through the outbox; returns the message id.
    Refused when the text holds a control character, the phone opted out, the text is empty or too long, or it
    looks like the scam (conversation.lint); and on a backend that sends templates only (staff.template_replies)."""
    if templates_only(settings):
        raise Refusal("template_only")
    body = plain_text(body)
    with transaction(factory) as session:
        app = locked_application(session, app_id)
        require_holder(session, app, actor)
        if consent.is_opted_out(session, app.phone):
            raise Refusal("opted_out")
        full = reply_prefix(app.locale, settings) + body
        if not body:
            raise Refusal("empty_reply")
        if len(full) > MAX_BODY_CHARS:
            raise Refusal("too_long", limit=MAX_BODY_CHARS)
        problems = lint(full, hotline=settings.hotline)
        if problems:
            raise Refusal("lint", problems="; ".join(problems))
        message = queue_message(session, application_id=app.id, phone=app.phone, kind="staff_reply", body=full)
        cancel_timers(session, app.pk)  # a person is now talking to the applicant: no bot reminder on top
        session.flush()
        record_action(session, app_id, actor.id, "reply", None, {"message_id": message.id})
        return int(message.id or 0)


def reply_prefix(locale: str, settings: Settings) -> str:
    """The signature a staff reply to an applicant with this locale starts with."""
    return signature_prefix(locale, settings.signature_for(locale))


def resend_notice(factory: sessionmaker[Session], app_id: int, actor: Actor, *, settings: Settings) -> None:
    """Send the current notice again and wait for the applicant's 1 or 2."""
    _settle(factory, app_id, actor, "do_staff_resend_notice", "resend_notice", settings=settings, texts=True)


def confirm(factory: sessionmaker[Session], app_id: int, actor: Actor, note: str, *, settings: Settings) -> None:
    """Mark the details confirmed (e.g. on a phone call); the note says how. Sends nothing."""
    _settle(factory, app_id, actor, "do_staff_confirm", "confirm", settings=settings, note=_required(note))


def close(factory: sessionmaker[Session], app_id: int, actor: Actor, reason: str, *, settings: Settings) -> None:
    """Admins only: settle the case without the bot; the reason is kept in the audit trail. Sends nothing."""
    require_admin(actor)
    _settle(factory, app_id, actor, "do_staff_close", "close", settings=settings, note=_required(reason))


def release(factory: sessionmaker[Session], app_id: int, actor: Actor, *, settings: Settings) -> None:
    """Give a handed-off conversation back to the bot, which waits for 1 or 2 again. Sends nothing."""
    _settle(factory, app_id, actor, "do_staff_release", "release", settings=settings)


def apply_correction(
    factory: sessionmaker[Session],
    app_id: int,
    actor: Actor,
    field: str,
    raw_value: str,
    *,
    settings: Settings,
    correction_id: int | None = None,
) -> None:
    """Change one field, issue a new notice version (the old one stays), mark the applicant's correction
    applied and send the new notice; the conversation goes back to awaiting_confirmation."""
    if field not in EDITABLE_FIELDS:
        raise Refusal("bad_field")
    value = parse_value(field, raw_value)

    def edit(session: Session, app: Application) -> tuple[dict[str, Any], dict[str, Any]]:
        before = {field: field_value(app, field), "notice_version": app.notice_version}
        set_field(app, field, value)
        app.notice_version += 1
        session.add(NoticeVersion(**notice_version_values(app, staff_id=actor.id, now=utcnow())))
        _mark_applied(session, app, field, correction_id)
        return before, {field: field_value(app, field), "notice_version": app.notice_version}

    event, action = "do_staff_apply_correction", "apply_correction"
    _settle(factory, app_id, actor, event, action, settings=settings, texts=True, edit=edit)


def change_phone(
    factory: sessionmaker[Session], app_id: int, actor: Actor, raw_phone: str, note: str, *, settings: Settings
) -> PhoneChangeOutcome:
    """Move the application to a number verified by the staff member (the note says how), typed in national
    form (read in SMSBOT_DEFAULT_REGION) or E.164: the notice goes again, as a new version, to the new number
    (conversation.phone_changes). The outcome says whether the new number had opted out."""
    try:
        phone = canonical_phone(raw_phone.strip(), region=settings.default_region)
    except PhoneError as exc:
        raise Refusal("bad_phone", reason=str(exc)) from exc
    note = _required(note)
    with transaction(factory) as session:
        app = locked_application(session, app_id)
        require_holder(session, app, actor)
        before = {"phone": app.phone, "notice_version": app.notice_version, "state": app.state}
        try:
            outcome = move_to_phone(
                session, app, phone, verified_by=note, cause="staff", staff_id=actor.id, settings=settings
            )
        except PhoneChangeRefused as refused:
            raise Refusal("not_allowed", state=app.state) from refused
        if not outcome.changed:
            raise Refusal("same_phone")
        after = {"phone": app.phone, "notice_version": app.notice_version, "state": app.state}
        record_action(session, app_id, actor.id, "change_phone", before | {"assignee": actor.username}, after, note)
        return outcome


def _settle(
    factory: sessionmaker[Session],
    app_id: int,
    actor: Actor,
    event: str,
    action: str,
    *,
    settings: Settings,
    texts: bool = False,
    note: str | None = None,
    edit: Edit | None = None,
) -> None:
    with transaction(factory) as session:
        app = locked_application(session, app_id)
        require_holder(session, app, actor)
        if not can_fire(app.state, event):
            raise Refusal("not_allowed", state=app.state)
        if texts and consent.is_opted_out(session, app.phone):
            raise Refusal("opted_out")
        before, after = edit(session, app) if edit else ({}, {})
        before |= {"state": app.state, "assignee": actor.username}
        step = Step(event, replies=("notice",) if texts else ())
        carry_out(session, app, step, settings=settings, cause="staff", cause_id=actor.id, staff=actor.username)
        app.assignee_id = None
        after |= {"state": app.state, "assignee": None}
        record_action(session, app_id, actor.id, action, before, after, note)


def _mark_applied(session: Session, app: Application, field: str, correction_id: int | None) -> None:
    """The named correction, else every pending one for this field, is applied by this edit."""
    query = select(Correction).where(col(Correction.application_id) == app.pk, col(Correction.status) == "pending")
    if correction_id is not None:
        query = query.where(col(Correction.id) == correction_id)
    else:
        query = query.where(col(Correction.field) == field)
    for correction in session.execute(query).scalars():
        correction.status = "applied"


def _required(text: str) -> str:
    text = plain_text(text)
    if not text:
        raise Refusal("note_required")
    if len(text) > MAX_NOTE_CHARS:
        raise Refusal("too_long", limit=MAX_NOTE_CHARS)
    return text
