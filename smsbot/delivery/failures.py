"""When a message will not arrive: what it means for the phone, decided here, and a note of it for the caller.

Delivery decides what a failure means for the phone (opted out at the provider, or permanently unreachable) and
returns an `Undeliverable`; what it means for the conversation (a hand-off to a person, an opt-out) is the
conversation's to decide (`conversation.delivery_failures`), in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from smsbot.delivery import consent
from smsbot.models import Message, PhoneConsent, utcnow


@dataclass(frozen=True, slots=True)
class Undeliverable:
    message_id: int
    application_id: int | None
    unsubscribed: bool  # the provider says the phone opted out (Twilio's 21610)


def block_phone(session: Session, message: Message, *, permanent: bool, unsubscribed: bool) -> Undeliverable:
    """Record what a final failure means for the phone: opted out when the provider says so, blocked when the
    number is gone for good; a transient failure changes nothing about the phone."""
    if unsubscribed:
        consent.set_opted_out(session, phone=message.phone, opted_out=True, message_id=None)
    elif permanent:
        mark_undeliverable(session, message.phone)
    return Undeliverable(message.pk, message.application_id, unsubscribed)


def mark_undeliverable(session: Session, phone: str) -> None:
    row = session.get(PhoneConsent, phone)
    if row is None:
        row = PhoneConsent(phone=phone)
        session.add(row)
    row.undeliverable, row.changed_at = True, utcnow()
