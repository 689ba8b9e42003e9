"""What staff type: the application fields they may edit, a value in the column's terms, and free text (a reply,
a note) checked before anything is stored or sent."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from smsbot.intake.filing import MAX_AMOUNT
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
        if not raw.isdigit() or not 1 <= int(raw) <= 360:
            raise Refusal("bad_value", field=field)
        return int(raw)
    limit = 100 if field == "name" else 200
    if not raw or len(raw) > limit or not raw.isprintable():
        raise Refusal("bad_value", field=field)
    return raw


def _parse_amount(raw: str) -> int:
    try:
        amount = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise Refusal("bad_value", field="amount") from None
    if not amount.is_finite() or not 0 < amount <= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise Refusal("bad_value", field="amount")
    return int(amount * 100)


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
