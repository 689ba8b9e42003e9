"""A notice or reminder that waited in the outbox (its sending window, a slow provider) goes only if its
conversation still waits for it: answered, closed, declined or withdrawn, it is withdrawn as `outdated`. The
reminder and the expiry count from the notice's own sending, never from a notice still held."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient
from sqlalchemy import select

from smsbot.conversation.reminders import fire_due_timers
from smsbot.db import transaction
from smsbot.delivery.claims import claim_due
from smsbot.delivery.leases import LeaseKeeper
from smsbot.delivery.providers.base import Outcome
from smsbot.delivery.windows import next_allowed
from smsbot.delivery.withholding import Withholding
from smsbot.dependencies import Runtime
from smsbot.models import Timer, utcnow
from smsbot.worker import Sending
from tests.delivery.helpers import application_row, drain, outbound
from tests.factories import AUTH, file, send_sms
from tests.staff_factories import staff_client

DAY = timedelta(days=1)
ZONE = "Asia/Shanghai"


def fire(rt: Runtime, now: datetime) -> int:
    return fire_due_timers(rt.sessions, settings=rt.settings, now=now)


def kinds(rt: Runtime, phone: str) -> list[tuple[str, str, str | None]]:
    return [(m.kind, m.status, m.error_code) for m in outbound(rt, phone)]


def closed_window_now() -> str:
    """Sending hours (applicant's local time) that exclude the present moment: they open in two hours."""
    local = utcnow().astimezone(ZoneInfo(ZONE))
    start = (local + timedelta(hours=2)).hour
    return f"{start:02d}:00-{(start + 1) % 24:02d}:00"


def test_a_queued_reminder_is_withdrawn_once_the_applicant_has_answered(client: FlaskClient, rt: Runtime) -> None:
    filed = file(client)
    phone = filed["applicant"]["phone"]
    drain(rt)
    rt.settings.reminder_hours = closed_window_now()  # the reminder waits in the outbox for its window
    later = utcnow() + DAY + timedelta(minutes=1)
    assert fire(rt, later) == 1
    assert kinds(rt, phone)[-1] == ("reminder", "queued", None)
    send_sms(client, phone, "1")
    opening = next_allowed(later, ZONE, rt.settings.reminder_hours) + timedelta(seconds=1)
    drain(rt, now=opening)
    assert ("reminder", "cancelled", "outdated") in kinds(rt, phone)
    assert application_row(rt, filed["id"]).state == "confirmed"


def test_a_queued_reminder_of_another_prompt_is_withdrawn(client: FlaskClient, rt: Runtime) -> None:
    """The reminder repeats 'reply 1 or 2'; the applicant has since answered 2 and is at the field menu."""
    filed = file(client)
    phone = filed["applicant"]["phone"]
    drain(rt)
    assert fire(rt, utcnow() + DAY + timedelta(minutes=1)) == 1
    send_sms(client, phone, "2")
    drain(rt)
    assert ("reminder", "cancelled", "outdated") in kinds(rt, phone)
    assert application_row(rt, filed["id"]).state == "awaiting_correction_field"


def test_a_held_notice_is_withdrawn_when_the_lender_declines(client: FlaskClient, rt: Runtime) -> None:
    rt.settings.notice_hours = closed_window_now()
    filed = file(client, applicant={"timezone": ZONE})
    phone = filed["applicant"]["phone"]
    decided = client.post(
        f"/api/v1/applications/{filed['id']}/decisions",
        json={"decision_id": "late-1", "status": "declined"},
        headers=AUTH,
    )
    assert decided.status_code == 201
    opening = next_allowed(utcnow(), ZONE, rt.settings.notice_hours) + timedelta(seconds=1)
    drain(rt, now=opening)
    sent = kinds(rt, phone)
    assert ("notice", "cancelled", "outdated") in sent
    assert [kind for kind, status, _ in sent if status == "delivered" or status == "accepted"] == ["decision_declined"]


def test_a_held_notice_is_withdrawn_when_staff_close_the_case(app, client: FlaskClient, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    rt.settings.notice_hours = closed_window_now()
    filed = file(client, applicant={"timezone": ZONE})
    boss = staff_client(app, rt, "boss", role="admin")
    assert boss.act(filed["id"], "close", reason="the lender asked, by phone").status_code == 303
    assert application_row(rt, filed["id"]).state == "closed"
    drain(rt, now=next_allowed(utcnow(), ZONE, rt.settings.notice_hours) + timedelta(seconds=1))
    assert kinds(rt, filed["applicant"]["phone"]) == [("notice", "cancelled", "outdated")]


def test_the_reminder_and_expiry_wait_for_a_notice_still_held(client: FlaskClient, rt: Runtime) -> None:
    rt.settings.notice_hours = closed_window_now()
    filed = file(client, applicant={"timezone": ZONE})
    opening = next_allowed(utcnow(), ZONE, rt.settings.notice_hours)
    assert fire(rt, opening - timedelta(minutes=1) + 4 * DAY) >= 1  # long past both timers: still nothing fires
    assert application_row(rt, filed["id"]).state == "awaiting_confirmation"
    assert [kind for kind, _, _ in kinds(rt, filed["applicant"]["phone"])] == ["notice"]
    with rt.sessions() as session:
        due = {t.kind: t.due_at for t in session.execute(select(Timer).where(Timer.status == "pending")).scalars()}
    later = opening - timedelta(minutes=1) + 4 * DAY
    assert due["reminder"] == later + timedelta(seconds=rt.settings.reminder_after_seconds)
    assert due["expire"] == later + timedelta(seconds=rt.settings.expire_after_seconds)


def test_a_claimed_reminder_that_waited_is_not_sent_after_the_applicant_answered(
    client: FlaskClient, rt: Runtime
) -> None:
    """The send-time check: claimed, then the applicant confirms while the row waits for the provider."""
    filed = file(client)
    phone = filed["applicant"]["phone"]
    drain(rt)
    now = utcnow() + DAY + timedelta(minutes=1)
    fire(rt, now)
    with transaction(rt.sessions) as session:
        [claim] = claim_due(session, settings=rt.settings, limit=10, now=utcnow())
    assert claim.kind == "reminder"
    send_sms(client, phone, "1")
    claimed_at = utcnow() - timedelta(seconds=5)
    keeper = LeaseKeeper(rt.sessions, [claim], settings=rt.settings, claimed_at=claimed_at)
    withholding = Withholding(rt.sessions, [claim], claimed_at=claimed_at)
    sending = Sending(
        rt.sessions, rt.provider, settings=rt.settings, now=None, pace=None, keeper=keeper, withholding=withholding
    )
    _, result = sending.send(claim)
    assert result is not None and (result.outcome, result.error_code) == (Outcome.WITHHELD, "outdated")
    assert datetime.now(UTC) > claimed_at
