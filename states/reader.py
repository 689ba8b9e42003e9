"""Reads an applicant's reply (first version: menu digits, opt-out, opt-in and human-request words)."""

from __future__ import annotations

import unicodedata

from states.intents import FIELD_MENU, Field, Intent, Reading

_OPT_OUT = {
    "td",
    "t",
    "r",
    "退订",
    "拒收",
    "0000",
    "stop",
    "stopall",
    "unsubscribe",
    "cancel",
    "end",
    "quit",
    "revoke",
    "optout",
}
_OPT_IN = {"start", "unstop", "恢复接收", "重新订阅"}
_HUMAN = {"人工", "转人工", "agent", "human", "callme"}


def read_reply(text: str, state: str, asked_field: Field | None = None) -> Reading:
    norm = "".join(unicodedata.normalize("NFKC", text).split()).lower()
    if norm in _OPT_OUT:
        return Reading(Intent.OPT_OUT, redacted_text=text)
    if norm in _OPT_IN:
        return Reading(Intent.OPT_IN, redacted_text=text)
    if any(word in norm for word in _HUMAN):
        return Reading(Intent.HUMAN, redacted_text=text)
    if state == "awaiting_confirmation" and norm in ("1", "2"):
        return Reading(Intent.CONFIRM if norm == "1" else Intent.CORRECT, redacted_text=text)
    if state == "awaiting_correction_field" and norm in FIELD_MENU:
        return Reading(Intent.CORRECT, field=FIELD_MENU[norm], redacted_text=text)
    if state == "awaiting_correction_value" and asked_field is not None and norm:
        value: int | str = int(norm) if norm.isdigit() and asked_field is not Field.NAME else norm
        return Reading(Intent.CORRECT, field=asked_field, value=value, redacted_text=text)
    return Reading(Intent.AMBIGUOUS, redacted_text=text)
