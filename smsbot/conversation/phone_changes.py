"""An application moves to a verified new number: what was queued for the old one is cancelled, the notice is
issued again as a new version to the new one, and the bot waits for 1 / 2 from it. Replies from the old number
no longer reach the application, because inbound replies find their application by its current phone.

The lender's API and the staff inbox's *Change phone* both come here, inside their own transaction, with the
application row locked."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.moves import carry_out, outbound_values
from smsbot.conversation.timers import cancel_timers, replace_timers
from smsbot.conversation.versions import notice_version_values
from smsbot.db import transaction
from smsbot.delivery import consent
from smsbot.delivery.outbox import message_row
from smsbot.events.record import record_event
from smsbot.events.types import EventType
from smsbot.models import OUTBOUND, Application, Message, NoticeVersion, PhoneChange, utcnow
from smsbot.models.locking import lock_application
from smsbot.models.message_status import MessageStatus as S
from smsbot.privacy import mask_phone
from states.machine import can_fire
from states.policy import Step

log = logging.getLogger(__name__)
EVENT = "do_change_phone"


class PhoneChangeRefused(Exception):
    """Nothing changed. `code`: not_found, or not_allowed (a closed or opted-out conversation keeps its number)."""

    def __init__(self, code: str, message: str, **params: str) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass(frozen=True, slots=True)
class PhoneChangeOutcome:
    changed: bool  # False: the application already had this number, nothing was done
    suppressed: bool = False  # the new number opted out: the notice is kept, not sent


def change_phone_by_api(
    factory: sessionmaker[Session], app_id: int, phone: str, *, verified_by: str, settings: Settings
) -> PhoneChangeOutcome:
    """The lender's verified new number (canonical E.164), in one transaction."""
    with transaction(factory) as session:
        app = lock_application(session, app_id)
        if app is None:
            raise PhoneChangeRefused("not_found", "no such application")
        return move_to_phone(
            session, app, phone, verified_by=verified_by, cause="api", staff_id=None, settings=settings
        )


def move_to_phone(
    session: Session,
    app: Application,
    phone: str,
    *,
    verified_by: str,
    cause: str,
    staff_id: int | None,
    settings: Settings,
) -> PhoneChangeOutcome:
    """Move the locked `app` to `phone` (canonical E.164) in the caller's transaction. The same number again
    changes nothing (a retry). A new number that opted out gets the notice kept as `suppressed` and the
    conversation is `opted_out`. Raises PhoneChangeRefused when the state does not allow it."""
    if phone == app.phone:
        return PhoneChangeOutcome(changed=False)
    if not can_fire(app.state, EVENT):
        raise PhoneChangeRefused("not_allowed", f"the phone cannot be changed in state {app.state}", state=app.state)
    old, before = app.phone, app.state
    _cancel_queued(session, app.pk, old)
    app.phone = phone
    app.notice_version += 1
    now = utcnow()
    session.add(NoticeVersion(**notice_version_values(app, staff_id=staff_id, now=now)))
    change = PhoneChange(
        application_id=app.pk,
        old_phone=old,
        new_phone=phone,
        verified_by=verified_by,
        cause=cause,
        staff_id=staff_id,
        notice_version=app.notice_version,
        created_at=now,
    )
    change.notice_suppressed = suppressed = consent.is_opted_out(session, phone)
    session.add(change)
    session.flush()
    cause_id = staff_id if cause == "staff" else change.id
    _issue_notice(session, app, suppressed=suppressed, cause=cause, cause_id=cause_id, settings=settings)
    app.assignee_id = None
    phone_changed(session, app, change, previous_state=before, settings=settings)
    return PhoneChangeOutcome(changed=True, suppressed=suppressed)


def _issue_notice(
    session: Session, app: Application, *, suppressed: bool, cause: str, cause_id: int | None, settings: Settings
) -> None:
    """The new version's notice and a fresh reminder and expiry; for an opted-out number the notice is kept
    as `suppressed` and the conversation opts out, as a reply of STOP from that number would have left it."""
    replies = () if suppressed else ("notice",)
    carry_out(session, app, Step(EVENT, replies=replies), settings=settings, cause=cause, cause_id=cause_id)
    if not suppressed:
        replace_timers(session.connection(), app.pk, settings=settings, now=utcnow())
        return
    values = outbound_values(app, "notice", settings=settings, now=utcnow())
    row = message_row(
        application_id=app.pk, direction=OUTBOUND, phone=app.phone, status=S.SUPPRESSED, now=utcnow(), **values
    )
    session.add(Message(**row))
    carry_out(session, app, Step("do_opt_out"), settings=settings, cause=cause, cause_id=cause_id)
    cancel_timers(session, app.pk)


def _cancel_queued(session: Session, app_id: int, phone: str) -> None:
    """What this application still had waiting for the old number is withdrawn (other applications on that
    number keep theirs)."""
    session.execute(
        update(Message)
        .where(
            col(Message.application_id) == app_id,
            col(Message.phone) == phone,
            col(Message.direction) == OUTBOUND,
            col(Message.status) == S.QUEUED,
        )
        .values(status=S.CANCELLED, updated_at=utcnow())
    )


def phone_changed(
    session: Session, app: Application, change: PhoneChange, *, previous_state: str, settings: Settings
) -> None:
    """The one place a phone change is known to be done (in the caller's transaction): whatever else must
    follow a changed number is added here. `previous_state`: the conversation's state before the change."""
    log.info(
        "application %s moved from %s to %s (%s)",
        app.id,
        mask_phone(change.old_phone),
        mask_phone(change.new_phone),
        change.cause,
    )
    record_event(
        session,
        app,
        EventType.PHONE_CHANGED,
        settings=settings,
        cause=change.cause,
        previous_state=previous_state,
        phone=change.new_phone,
        previous_phone=change.old_phone,
        verified_by=change.verified_by,
        notice_suppressed=change.notice_suppressed,
    )
