"""Per-phone consent: opt-out is absolute and is checked again at send time."""

from __future__ import annotations

from sqlmodel import Session

from smsbot.models import PhoneConsent, utcnow


def is_opted_out(session: Session, phone: str) -> bool:
    consent = session.get(PhoneConsent, phone)
    return bool(consent and consent.opted_out)


def set_opted_out(session: Session, *, phone: str, opted_out: bool, message_id: int | None) -> bool:
    """Record the phone's choice; returns True when it changed (so a second STOP sends no second receipt)."""
    consent = session.get(PhoneConsent, phone)
    if consent is None:
        consent = PhoneConsent(phone=phone, opted_out=not opted_out)
        session.add(consent)
    if consent.opted_out == opted_out:
        return False
    consent.opted_out = opted_out
    consent.changed_at = utcnow()
    consent.message_id = message_id
    return True
