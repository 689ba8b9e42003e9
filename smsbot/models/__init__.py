"""All tables, imported together so the metadata is complete for Alembic and the app."""

from smsbot.models.application import Application, Correction, NoticeVersion, TransitionRecord
from smsbot.models.base import metadata, utcnow
from smsbot.models.delivery import DeliveryEvent, SendAttempt, SenderSlot, Timer
from smsbot.models.event import EventOutbox
from smsbot.models.gateway import GatewayPush
from smsbot.models.lender import DecisionRecord, PhoneChange
from smsbot.models.message import INBOUND, OUTBOUND, Message, PhoneConsent
from smsbot.models.report import ReportDaily, ReportOutcome, ReportWatermark
from smsbot.models.staff import AuditEvent, LoginThrottle, LoginThrottleAccount, StaffUser

__all__ = [
    "INBOUND",
    "OUTBOUND",
    "Application",
    "AuditEvent",
    "Correction",
    "DecisionRecord",
    "DeliveryEvent",
    "EventOutbox",
    "GatewayPush",
    "LoginThrottle",
    "LoginThrottleAccount",
    "Message",
    "NoticeVersion",
    "PhoneChange",
    "PhoneConsent",
    "ReportDaily",
    "ReportOutcome",
    "ReportWatermark",
    "SendAttempt",
    "SenderSlot",
    "StaffUser",
    "Timer",
    "TransitionRecord",
    "metadata",
    "utcnow",
]
