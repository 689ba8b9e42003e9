"""Sending windows in the applicant's local time: outside them messages wait, they are never dropped."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as phone_timezones

from smsbot.config import Settings, parse_hours
from states.decisions import NOTICE_TEMPLATES

NOTICE_KINDS = frozenset({"notice", *NOTICE_TEMPLATES})  # a progress notice keeps the filing notice's hours
REMINDER_KINDS = frozenset({"reminder"})


class Locatable(Protocol):
    """What places an applicant in time: the timezone filed, else the phone's country."""

    timezone: str | None
    phone: str


def window_for(kind: str, settings: Settings) -> str | None:
    """The hours spec that applies to `kind`, or None: replies to someone who just wrote go at once."""
    if kind in NOTICE_KINDS:
        return settings.notice_hours
    if kind in REMINDER_KINDS:
        return settings.reminder_hours
    return None


def next_allowed(now: datetime, tz: str, hours: str) -> datetime:
    """`now` if it falls inside `hours` in `tz`, else the window's next opening (in UTC-aware time)."""
    start, end = parse_hours(hours)
    local = now.astimezone(ZoneInfo(tz))
    if _inside(local.time(), start, end):
        return now
    opening = datetime.combine(local.date(), start, tzinfo=local.tzinfo)
    if opening <= local:
        opening = datetime.combine(local.date() + timedelta(days=1), start, tzinfo=local.tzinfo)
    return opening.astimezone(now.tzinfo)


def _inside(moment: time, start: time, end: time) -> bool:
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # a window across midnight, e.g. 22:00-06:00


def applicant_timezone(app: Locatable, settings: Settings) -> str:
    """The applicant's timezone: as filed, else guessed from the phone's country, else the default."""
    return app.timezone or guess_timezone(app.phone) or settings.default_timezone


@lru_cache(maxsize=4096)
def guess_timezone(phone: str) -> str | None:
    try:
        zones = phone_timezones.time_zones_for_number(_number(phone))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None


def _number(phone: str) -> phonenumbers.PhoneNumber:
    """A stored phone (canonical E.164, `phones.canonical_phone`) split at its country calling code without a
    second full parse, which the import would pay for every row: calling codes are prefix-free, so the first
    1 to 3 digits that are one are it. A national number with leading zeros (Italy, Côte d'Ivoire ...) and
    anything else is parsed."""
    if phone.startswith("+") and phone[1:].isdigit() and phone.isascii():
        for length in (1, 2, 3):
            code = int(phone[1 : 1 + length])
            national = phone[1 + length :]
            if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                if not national.startswith("0"):
                    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national or 0))
                break
    return phonenumbers.parse(phone)
