"""The elements of Alibaba Cloud SMS pushes, read strictly: a reply (SmsUp) or a delivery report (SmsReport).

Each element is judged alone. One that lacks a field, has a field of the wrong type, a phone that is not one
mainland mobile number, a control character or an over-long text becomes a `Malformed` naming the first reason;
it is stored as received and reported, and the elements beside it are read as usual. Fields the gateway may add
later are ignored. Phones arrive as 11-digit national numbers and leave here canonical (`smsbot.phones`)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from smsbot.characters import KEPT_CONTROLS
from smsbot.delivery.segments import MAX_BODY_CHARS
from smsbot.delivery.status_callbacks import ERROR_CODE_CHARS
from smsbot.models.base import ROW_ID_MAX
from smsbot.phones import PhoneError, canonical_phone

GATEWAY_REGION = "CN"  # the gateway's numbers are mainland ones, whatever SMSBOT_DEFAULT_REGION says
SID_PREFIX = "aliyun:"  # messages.provider_sid of a send: aliyun:<BizId>, never equal to a Twilio sid
REPLY_SID_PREFIX = "aliyun-up:"  # messages.provider_sid of a reply: aliyun-up:<sequence_id>
MAX_SEQUENCE_DIGITS = 20  # a 64-bit number
MAX_BIZ_ID_CHARS = 64 - len(SID_PREFIX)  # what fits messages.provider_sid with its prefix
MAX_SHORT_FIELD_CHARS = 64  # times, sign names, extension codes
MAX_ERROR_MESSAGE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Reply:
    """An SmsUp element: what an applicant texted to the lender's signature."""

    sequence_id: str
    phone: str  # canonical E.164
    content: str

    @property
    def push_key(self) -> str:
        return f"up:{self.sequence_id}"

    @property
    def sid(self) -> str:
        return REPLY_SID_PREFIX + self.sequence_id


@dataclass(frozen=True, slots=True)
class Report:
    """An SmsReport element: whether one send reached one phone."""

    biz_id: str
    phone: str  # canonical E.164
    success: bool
    out_id: int | None  # our message id, when the send named it and it can be one
    err_code: str | None

    @property
    def push_key(self) -> str:
        return f"report:{self.biz_id}:{self.phone}"

    @property
    def sid(self) -> str:
        return SID_PREFIX + self.biz_id


@dataclass(frozen=True, slots=True)
class Malformed:
    problem: str  # a short reason without the element's contents, fit for a log line and a metric label


class _Refused(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def read_reply(element: object) -> Reply | Malformed:
    try:
        fields = _object(element)
        for name in ("send_time", "sign_name", "dest_code"):
            _optional_text(fields, name, MAX_SHORT_FIELD_CHARS)
        return Reply(
            sequence_id=_sequence_id(fields.get("sequence_id")),
            phone=_phone(fields),
            content=_text(fields, "content", MAX_BODY_CHARS),
        )
    except _Refused as refused:
        return Malformed(refused.problem)


def read_report(element: object) -> Report | Malformed:
    try:
        fields = _object(element)
        for name in ("send_time", "report_time", "sms_size"):
            _optional_text(fields, name, MAX_SHORT_FIELD_CHARS)
        _optional_text(fields, "err_msg", MAX_ERROR_MESSAGE_CHARS)
        success = fields.get("success")
        if not isinstance(success, bool):
            raise _Refused("success_not_boolean" if "success" in fields else "missing_success")
        err_code = _optional_text(fields, "err_code", MAX_SHORT_FIELD_CHARS)
        return Report(
            biz_id=_text(fields, "biz_id", MAX_BIZ_ID_CHARS, empty_ok=False),
            phone=_phone(fields),
            success=success,
            out_id=_out_id(_optional_text(fields, "out_id", MAX_SHORT_FIELD_CHARS)),
            # The code is kept as far as the column holds it; the stored push keeps it whole.
            err_code=err_code[:ERROR_CODE_CHARS] if err_code else None,
        )
    except _Refused as refused:
        return Malformed(refused.problem)


def _object(element: object) -> dict[str, Any]:
    if not isinstance(element, dict):
        raise _Refused("not_an_object")
    return element


def _text(fields: dict[str, Any], name: str, limit: int, *, empty_ok: bool = True) -> str:
    if name not in fields:
        raise _Refused(f"missing_{name}")
    value = fields[name]
    if not isinstance(value, str):
        raise _Refused(f"{name}_not_text")
    if not value and not empty_ok:
        raise _Refused(f"empty_{name}")
    if len(value) > limit:
        raise _Refused(f"{name}_too_long")
    if not value.isprintable() and any(
        ch not in KEPT_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs") for ch in value
    ):
        # A NUL cannot be stored, and a text with one is not what a handset sends: no guessing what it meant.
        raise _Refused(f"{name}_control_characters")
    return value


def _optional_text(fields: dict[str, Any], name: str, limit: int) -> str | None:
    if fields.get(name) is None:
        return None
    return _text(fields, name, limit)


def _sequence_id(value: object) -> str:
    """The gateway's id of a reply, a whole number (sent as a number; a string of digits is read the same)."""
    if isinstance(value, bool) or value is None:
        raise _Refused("missing_sequence_id" if value is None else "sequence_id_not_a_number")
    text = str(value) if isinstance(value, int) else value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_SEQUENCE_DIGITS:
        raise _Refused("sequence_id_not_a_number")
    return str(int(text))  # one spelling: 007 and 7 are the same reply


def _phone(fields: dict[str, Any]) -> str:
    raw = _text(fields, "phone_number", 32, empty_ok=False)
    try:
        return canonical_phone(raw, region=GATEWAY_REGION)
    except PhoneError:
        raise _Refused("phone_number_invalid") from None


def _out_id(value: str | None) -> int | None:
    """Our message id, as we sent it in OutId; anything else (empty, not ours) matches by biz id instead."""
    if value and value.isascii() and value.isdigit() and 0 < int(value) <= ROW_ID_MAX:
        return int(value)
    return None
