"""All tables, imported together so the metadata is complete for Alembic and the app."""

from smsbot.models.application import Application, Correction, NoticeVersion, TransitionRecord
from smsbot.models.base import metadata, utcnow
from smsbot.models.delivery import DeliveryEvent, SendAttempt, SenderSlot, Timer
from smsbot.models.message import INBOUND, OUTBOUND, Message, PhoneConsent

__all__ = [
    "INBOUND",
    "OUTBOUND",
    "Application",
    "Correction",
    "DeliveryEvent",
    "Message",
    "NoticeVersion",
    "PhoneConsent",
    "SendAttempt",
    "SenderSlot",
    "Timer",
    "TransitionRecord",
    "metadata",
    "utcnow",
]
