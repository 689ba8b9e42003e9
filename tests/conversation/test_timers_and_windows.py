"""Reminders, expiry and sending windows, with a controllable clock; the conversation's own rules on both providers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from smsbot.conversation.reminders import fire_due_timers
from smsbot.delivery.windows import next_allowed
from smsbot.dependencies import Runtime
from smsbot.models import Timer, utcnow
from tests.conversation.conftest import OnChannel
from tests.delivery.helpers import application_row, drain, outbound
from tests.factories import application, file, send_sms

DAY = timedelta(days=1)


def fire(rt: Runtime, after: timedelta) -> int:
    return fire_due_timers(rt.sessions, settings=rt.settings, now=utcnow() + after)


def timers(rt: Runtime, app_id: int) -> list[tuple[str, str]]:
    with rt.sessions() as session:
        rows = session.execute(
            select(Timer.kind, Timer.status).where(Timer.application_id == app_id).order_by(Timer.id)
        )
        return [tuple(row) for row in rows.all()]


def test_an_unanswered_notice_gets_one_reminder_then_hands_off_with_no_reply(on: OnChannel) -> None:
    app = file(on.client)
    drain(on.rt)  # the notice went out: the timers count from here
    assert fire(on.rt, timedelta(hours=1)) == 0
    assert fire(on.rt, DAY + timedelta(minutes=1)) == 1
    kinds = [m.kind for m in outbound(on.rt, app["applicant"]["phone"])]
    assert kinds == ["notice", "reminder"]
    assert application_row(on.rt, app["id"]).state == "awaiting_confirmation"
    assert fire(on.rt, 3 * DAY + timedelta(minutes=1)) == 1
    row = application_row(on.rt, app["id"])
    assert (row.state, row.handoff_reason) == ("handed_off", "no_reply")
    assert [m.kind for m in outbound(on.rt, app["applicant"]["phone"])] == ["notice", "reminder"]
    assert application(on.client, app["id"])["transitions"][-1]["cause"]["type"] == "timer"


def test_any_reply_cancels_pending_timers(on: OnChannel) -> None:
    app = file(on.client)
    on.reply(app["applicant"]["phone"], "1")
    assert timers(on.rt, app["id"]) == [("reminder", "cancelled"), ("expire", "cancelled")]
    assert fire(on.rt, 4 * DAY) == 0
    assert application_row(on.rt, app["id"]).state == "confirmed"


def test_a_new_prompt_starts_fresh_timers(on: OnChannel) -> None:
    app = file(on.client)
    on.reply(app["applicant"]["phone"], "2")
    assert timers(on.rt, app["id"])[-2:] == [("reminder", "pending"), ("expire", "pending")]
    fire(on.rt, DAY + timedelta(minutes=1))
    assert outbound(on.rt, app["applicant"]["phone"])[-1].body == outbound(on.rt, app["applicant"]["phone"])[1].body


def test_a_reply_after_the_reminder_starts_a_fresh_reminder_and_expiry(on: OnChannel) -> None:
    """Only the expiry is still pending once the reminder has gone: the new prompt gets both again."""
    app = file(on.client)
    drain(on.rt)
    assert fire(on.rt, DAY + timedelta(minutes=1)) == 1
    on.reply(app["applicant"]["phone"], "2")
    assert timers(on.rt, app["id"]) == [
        ("reminder", "fired"),
        ("expire", "cancelled"),
        ("reminder", "pending"),
        ("expire", "pending"),
    ]
    assert application_row(on.rt, app["id"]).state == "awaiting_correction_field"


def test_opt_out_racing_a_queued_reminder_wins(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    drain(rt)
    fire(rt, DAY + timedelta(minutes=1))  # the reminder is now in the outbox
    send_sms(client, phone, "退订")
    drain(rt, now=utcnow() + DAY + timedelta(minutes=2))
    assert [(m.kind, m.status) for m in outbound(rt, phone)] == [
        ("notice", "delivered"),
        ("reminder", "cancelled"),
        ("opt_out_confirmation", "delivered"),
    ]


def test_an_opt_out_before_the_reminder_fires_cancels_it(on: OnChannel) -> None:
    app = file(on.client)
    on.reply(app["applicant"]["phone"], "STOP")
    assert fire(on.rt, 4 * DAY) == 0
    assert [m.kind for m in outbound(on.rt, app["applicant"]["phone"])] == ["notice", "opt_out_confirmation"]


@pytest.mark.parametrize(
    ("now", "tz", "hours", "expected"),
    [
        ("2026-08-03T12:00:00+08:00", "Asia/Shanghai", "08:00-21:00", "2026-08-03T12:00:00+08:00"),
        ("2026-08-03T22:30:00+08:00", "Asia/Shanghai", "08:00-21:00", "2026-08-04T08:00:00+08:00"),
        ("2026-08-03T06:59:00+08:00", "Asia/Shanghai", "08:00-21:00", "2026-08-03T08:00:00+08:00"),
        ("2026-08-03T21:00:00+08:00", "Asia/Shanghai", "08:00-21:00", "2026-08-04T08:00:00+08:00"),
        ("2026-08-03T20:30:00-04:00", "America/New_York", "09:00-20:00", "2026-08-04T09:00:00-04:00"),
        ("2026-03-08T01:30:00-05:00", "America/New_York", "09:00-20:00", "2026-03-08T09:00:00-04:00"),
    ],
)
def test_the_next_allowed_time_is_in_the_applicants_local_window(now: str, tz: str, hours: str, expected: str) -> None:
    moment = datetime.fromisoformat(now).astimezone(UTC)
    assert next_allowed(moment, tz, hours) == datetime.fromisoformat(expected)


def test_a_notice_filed_at_night_waits_for_the_morning_and_is_never_dropped(client: FlaskClient, rt: Runtime) -> None:
    rt.settings.notice_hours = "08:00-21:00"
    app = file(client, applicant={"timezone": "Asia/Shanghai"})
    [notice] = outbound(rt, app["applicant"]["phone"])
    opening = next_allowed(utcnow(), "Asia/Shanghai", "08:00-21:00")
    assert notice.send_after == opening or abs((notice.send_after - opening).total_seconds()) < 5
    before = opening - timedelta(minutes=1)
    if before > utcnow():
        assert drain(rt, now=before) == 0
    assert drain(rt, now=opening + timedelta(seconds=1)) == 1


def test_a_reminder_outside_reminder_hours_is_held_at_claim_time(client: FlaskClient, rt: Runtime) -> None:
    app = file(client, applicant={"timezone": "America/New_York"})
    phone = app["applicant"]["phone"]
    drain(rt)
    fire(rt, DAY + timedelta(minutes=1))
    rt.settings.reminder_hours = "09:00-20:00"
    late = _next_local(utcnow() + DAY + timedelta(minutes=2), "America/New_York", 21, 30)  # outside, before expiry
    assert drain(rt, now=late) == 0
    reminder = outbound(rt, phone)[-1]
    assert (reminder.kind, reminder.status) == ("reminder", "queued")
    morning = _next_local(late, "America/New_York", 9, 0)
    assert reminder.send_after == morning
    assert drain(rt, now=morning + timedelta(seconds=1)) == 1


def _next_local(after: datetime, tz: str, hour: int, minute: int) -> datetime:
    """The first `hour:minute` in `tz` after `after`, in UTC."""
    local = after.astimezone(ZoneInfo(tz))
    moment = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if moment <= local:
        moment = (local + DAY).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return moment.astimezone(UTC)


def test_the_timezone_is_guessed_from_the_phone_when_not_given(client: FlaskClient, rt: Runtime) -> None:
    from smsbot.delivery.windows import guess_timezone

    assert guess_timezone("+8613800138000") == "Asia/Shanghai"
    assert guess_timezone("+85291234567") == "Asia/Hong_Kong"
    assert guess_timezone("+12125550100") == "America/New_York"


def test_a_stored_phone_is_placed_as_a_full_parse_would_place_it() -> None:
    """The timezone guess splits a canonical number at its calling code instead of parsing it again: for the
    example numbers of every region and type (leading zeros included), the same number and the same zones."""
    import phonenumbers
    from phonenumbers import timezone as phone_timezones

    from smsbot.delivery.windows import _number

    compared = 0
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in range(12):  # every PhoneNumberType
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            stored = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
            parsed = phonenumbers.parse(stored)
            assert _number(stored) == parsed, stored
            assert phone_timezones.time_zones_for_number(_number(stored)) == phone_timezones.time_zones_for_number(
                parsed
            )
            compared += 1
    assert compared > 1000
