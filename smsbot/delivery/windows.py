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
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None
    return zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None
