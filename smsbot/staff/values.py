"""What staff type: the application fields they may edit, a value in the column's terms, and free text (a reply,
a note) checked before anything is stored or sent."""

from __future__ import annotations

import unicodedata
from typing import Any

from smsbot.intake.fields import NAME, PURPOSE, TERM_MONTHS, clean_amount
from smsbot.intake.public_view import amount_of
from smsbot.models import Application
from smsbot.staff.permissions import Refusal

EDITABLE_FIELDS = ("name", "amount", "term", "purpose")
_COLUMNS = {"name": "name", "amount": "amount_minor", "term": "term_months", "purpose": "purpose"}


def plain_text(text: str) -> str:
    """A reply or note as typed: line breaks as plain newlines (a browser posts CRLF), stripped. Any other
    control character (NUL, escape, tab, a lone CR) raises Refusal("control_chars")."""
    text = text.replace("\r\n", "\n").strip()
    if any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text):
        raise Refusal("control_chars")
    return text


def parse_value(field: str, raw: str) -> Any:
    """A staff-entered value in the column's terms: amount in minor units, term in months, text stripped.
    Raises Refusal("bad_value") when it is not one."""
    raw = raw.strip()
    if field == "amount":
        return _parse_amount(raw)
    if field == "term":
        if not raw.isdigit() or int(raw) not in TERM_MONTHS:
            raise Refusal("bad_value", field=field)
        return int(raw)
    try:
        return (NAME if field == "name" else PURPOSE).clean(raw)
    except ValueError:
        raise Refusal("bad_value", field=field) from None


def _parse_amount(raw: str) -> int:
    try:
        return int(clean_amount(raw) * 100)
    except ValueError:
        raise Refusal("bad_value", field="amount") from None


def field_value(app: Application, field: str) -> Any:
    """The field as the audit trail shows it (the amount in major units)."""
    return {
        "name": app.name,
        "amount": amount_of(app.amount_minor),
        "term": app.term_months,
        "purpose": app.purpose,
    }[field]


def set_field(app: Application, field: str, value: Any) -> None:
    setattr(app, _COLUMNS[field], value)
