"""When a message will not arrive: block the phone if that is permanent, opt it out if the provider says so,
and hand the conversation to a person."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.conversation.moves import carry_out, hand_off
from smsbot.db import for_update
from smsbot.delivery import consent
from smsbot.models import Application, Message, PhoneConsent, utcnow
from states.conversation_states import HandoffReason, State
from states.policy import Step


def fail_delivery(
    session: Session, message: Message, *, permanent: bool, unsubscribed: bool, settings: Settings
) -> None:
    """A message will not arrive: block the phone when that is permanent, opt it out when the provider says
    so, and hand the conversation to a person."""
    if unsubscribed:
        consent.set_opted_out(session, phone=message.phone, opted_out=True, message_id=None)
    elif permanent:
        mark_undeliverable(session, message.phone)
    app = locked_application(session, message.application_id)
    if app is None or app.state in (State.OPTED_OUT, State.CLOSED):
        return
    if unsubscribed:
        carry_out(session, app, Step("do_opt_out"), settings=settings, cause="delivery", cause_id=message.id)
    else:
        hand_off(
            session,
            app,
            HandoffReason.DELIVERY_FAILED,
            settings=settings,
            cause="delivery",
            cause_id=message.id,
            event="do_fail_delivery",
        )


def mark_undeliverable(session: Session, phone: str) -> None:
    row = session.get(PhoneConsent, phone)
    if row is None:
        row = PhoneConsent(phone=phone)
        session.add(row)
    row.undeliverable, row.changed_at = True, utcnow()


def locked_application(session: Session, application_id: int | None) -> Application | None:
    if application_id is None:
        return None
    query = for_update(session, select(Application).where(col(Application.id) == application_id))
    return session.execute(query).scalar_one_or_none()
