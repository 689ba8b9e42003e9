"""Every limit of an intake field, written once: lengths, the characters allowed, ranges. The API's request
model, the CSV import and the staff forms all check values against this table, so a value one of them
accepts is never refused (or silently stored differently) by another."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_AMOUNT = Decimal("10000000")  # ten million: anything above is a unit mistake, not a small loan
CENTS = Decimal("0.01")
TERM_MONTHS = range(1, 361)
EARLIEST_SUBMITTED_AT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_SUBMITTED_AHEAD = timedelta(days=1)  # clocks differ; a filing from further in the future is a mistake
MAX_TIMEZONE_CHARS = 64
# IANA's Area/Location names. `UTC`, `Etc/GMT+8` (whose sign is inverted), `localtime`, `Factory` and the old
# country aliases (`PRC`, `US/Eastern`) are refused: a zone that is not where the applicant lives would send
# the "daytime" notice in their night.
TIMEZONE_AREAS: tuple[str, ...] = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
)
TIMEZONE_AREAS += ("Pacific",)
_TIMEZONE = re.compile(rf"(?:{'|'.join(TIMEZONE_AREAS)})(?:/[A-Za-z0-9_+\-]+){{1,2}}")
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_AMOUNT_TEXT = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,30})(?:\.[0-9]{1,30})?")
CURRENCY_PATTERN = r"^[A-Z]{3}$"


@dataclass(frozen=True, slots=True)
class TextField:
    """A free-text field: at most `max_length` characters once surrounding whitespace is stripped, never
    empty, and printable (no control, format or invisible characters); `multiline` allows line breaks."""

    max_length: int
    visible_ascii: bool = False  # identifiers: ASCII letters, digits and punctuation, no spaces
    multiline: bool = False

    def clean(self, value: str) -> str:
        """`value` stripped, or ValueError saying what is wrong with it."""
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        if len(value) > self.max_length:
            raise ValueError(f"must be at most {self.max_length} characters")
        if self.visible_ascii and not _VISIBLE_ASCII.fullmatch(value):
            raise ValueError("must be ASCII letters, digits and punctuation, without spaces")
        lines = value.split("\n") if self.multiline else [value]
        if not all(line.removesuffix("\r").isprintable() for line in lines):
            raise ValueError(
                "must not contain control or invisible characters" + ("" if self.multiline else " or line breaks")
            )
        return value

    @property
    def pattern(self) -> str | None:
        """The character class as a JSON-schema pattern, for the OpenAPI document."""
        return r"^[\x21-\x7e]+$" if self.visible_ascii else None


EXTERNAL_ID = TextField(100, visible_ascii=True)
NAME = TextField(100)
PURPOSE = TextField(200)
NOTE = TextField(1000, multiline=True)  # a staff member's note on an action


def clean_amount(value: Any) -> Decimal:
    """An amount as a Decimal with exactly two places, so 50000, 50000.00 and "50,000" are one value.
    Accepts an int, a Decimal, or a plain decimal string (digits, optional thousands commas and point)."""
    if isinstance(value, str):
        if not _AMOUNT_TEXT.fullmatch(value):
            raise ValueError("must be a number such as 50000 or 50000.00")
        value = Decimal(value.replace(",", ""))
    elif isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise ValueError("must be a number")
    if not value.is_finite() or value <= 0 or value > MAX_AMOUNT:
        raise ValueError(f"must be more than 0 and at most {MAX_AMOUNT}")
    if value != value.quantize(CENTS):
        raise ValueError("must have at most two decimal places")
    return value.quantize(CENTS)


def clean_timezone(value: str) -> str:
    """An IANA Area/Location timezone this machine knows (Asia/Shanghai), or ValueError."""
    if len(value) <= MAX_TIMEZONE_CHARS and _TIMEZONE.fullmatch(value):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
    raise ValueError("must be an IANA Area/Location timezone such as Asia/Shanghai")


def clean_submitted_at(value: Any, *, now: datetime | None = None) -> datetime:
    """An ISO 8601 date-time with a UTC offset, from 2000-01-01 to a day from now, as UTC."""
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError("must be an ISO 8601 date-time such as 2026-08-03T10:15:00+08:00") from exc
    if moment.tzinfo is None:
        raise ValueError("must include a UTC offset")
    latest = (now or datetime.now(UTC)) + LATEST_SUBMITTED_AHEAD
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 shifted past the calendar's ends
        utc = None
    if utc is None or not EARLIEST_SUBMITTED_AT <= utc <= latest:
        raise ValueError(f"must be between {EARLIEST_SUBMITTED_AT:%Y-%m-%d} and a day from now")
    return utc
