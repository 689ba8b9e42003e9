"""Wire formats of Twilio's Messages API: sids, dates, segment counts, resource and error JSON."""

from __future__ import annotations

import email.utils
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime

API_VERSION = "2010-04-01"
MESSAGES_PREFIX = f"/{API_VERSION}/Accounts"
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"
MAX_BODY_CHARS = 1600

E164 = re.compile(r"^\+[1-9]\d{1,14}$")
# Alphanumeric sender ids are accepted as From by Twilio in many countries.
ALPHANUMERIC_SENDER = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension characters cost an escape septet plus their own.
GSM7_EXTENSION = set("^{}\\[~]|€\f")

# Twilio's own wording, so tests that log or match messages see what production would show.
ERRORS: dict[int, tuple[int, str]] = {
    20001: (400, "Invalid parameter"),
    20003: (401, "Authenticate"),
    20004: (405, "Method not allowed"),
    20404: (404, "The requested resource {path} was not found"),
    20429: (429, "Too Many Requests"),
    20500: (500, "An internal server error has occurred"),
    20503: (503, "Service Unavailable"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21212: (
        400,
        "The 'From' number {from_} is not a valid phone number, shortcode, or alphanumeric sender ID.",
    ),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' phone number is required."),
    21604: (400, "A 'To' phone number is required."),
    21606: (400, "The 'From' phone number provided is not a valid message-capable Twilio phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21611: (400, "This 'From' number has exceeded the maximum number of queued messages"),
    21612: (400, "The 'To' phone number: {to}, is not currently reachable via SMS."),
    21614: (400, "'To' number is not a valid mobile number"),
    21617: (400, "The concatenated message body exceeds the 1600 character limit."),
    21635: (400, "'To' number cannot be a landline"),
    21701: (400, "The Messaging Service Sid {sid} is invalid."),
}
SYNC_FAULT_CODES = frozenset({21211, 21212, 21606, 21610, 21611, 21612, 21614, 21635})

# Error codes that arrive only in status callbacks, with the text Twilio puts in error_message.
CALLBACK_ERRORS: dict[int, str] = {
    30003: "Unreachable destination handset",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Carrier violation",
    30008: "Unknown error",
}

# Status only ever moves forward in the store, as it does on Twilio's side.
STATUS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
}


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


def rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else email.utils.format_datetime(moment.replace(microsecond=0))


class _Blank(dict[str, object]):
    """Leaves a placeholder empty when the caller has no value for it."""

    def __missing__(self, key: str) -> str:
        return ""


def error_body(code: int, **details: str) -> tuple[int, dict[str, object]]:
    """Return (http_status, json) for a Twilio error code in Twilio's legacy error shape."""
    status, template = ERRORS.get(code, (400, "Error {code}"))
    message = template.format_map(_Blank(code=code, **details))
    return status, {
        "code": code,
        "message": message,
        "more_info": MORE_INFO.format(code=code),
        "status": status,
    }


def is_gsm7(body: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in body)


def count_segments(body: str) -> int:
    """Segments as carriers bill them: GSM-7 160/153 septets, otherwise UCS-2 70/67 code units."""
    if is_gsm7(body):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in body)
        single, multi = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, multi = 70, 67
    return 1 if units <= single else math.ceil(units / multi)


@dataclass
class Message:
    """One stored outbound message; `to_json` renders it exactly as Twilio's API does."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None
    status: str
    status_callback: str | None
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None
    num_segments: int
    error_code: int | None = None
    error_message: str | None = None
    form: dict[str, object] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"{MESSAGES_PREFIX}/{self.account_sid}/Messages/{self.sid}.json"

    def to_json(self) -> dict[str, object]:
        base = self.uri[: -len(".json")]
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": "outbound-api",
            "error_code": self.error_code,
            "error_message": self.error_message,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(self.num_segments),
            "price": None,
            "price_unit": None,
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": f"{base}/Media.json", "feedback": f"{base}/Feedback.json"},
            "to": self.to,
            "uri": self.uri,
        }
