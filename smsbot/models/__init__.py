"""All tables, imported together so the metadata is complete for Alembic and the app."""

from smsbot.models.application import Application, Correction, NoticeVersion, TransitionRecord
from smsbot.models.base import metadata, utcnow
from smsbot.models.message import INBOUND, OUTBOUND, Message, PhoneConsent
from smsbot.models.staff import AuditEvent, LoginThrottle, StaffUser

__all__ = [
    "INBOUND",
    "OUTBOUND",
    "Application",
    "AuditEvent",
    "Correction",
    "LoginThrottle",
    "Message",
    "NoticeVersion",
    "PhoneConsent",
    "StaffUser",
    "TransitionRecord",
    "metadata",
    "utcnow",
]
