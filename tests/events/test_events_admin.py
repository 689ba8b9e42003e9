"""What admins and operators see and do: the page of dead and failing deliveries (admins only, both languages,
CSRF), its retry button, `smsbot events replay --since`, and the pending and dead counts on /metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask

from smsbot.cli import main
from smsbot.dependencies import Runtime
from smsbot.events.delivery import deliver_events_once
from smsbot.events.sender import EventSender
from smsbot.models import utcnow
from smsbot.models.event import DEAD, DELIVERED, PENDING
from tests.events.history import event_rows
from tests.events.receiver import Receiver
from tests.factories import file, send_sms
from tests.staff_factories import staff_client


def _one_dead_one_failing(eapp: Flask, ert: Runtime, receiver: Receiver) -> None:
    client = eapp.test_client()
    for _ in range(2):
        assert send_sms(client, file(client)["applicant"]["phone"], "1").status_code == 200
    sender, start = EventSender(ert.settings), utcnow()
    receiver.faults.fail_next = 10**6
    assert deliver_events_once(ert.sessions, sender, settings=ert.settings, now=start) == 2
    later = start + timedelta(seconds=ert.settings.events_retry_for_seconds)
    with ert.sessions.begin() as session:  # the second one failed only once, recently: it is still retried
        session.get_one(type(event_rows(ert)[1]), event_rows(ert)[1].id).next_attempt_at = later + timedelta(hours=1)
    assert deliver_events_once(ert.sessions, sender, settings=ert.settings, now=later) == 1
    assert [row.status for row in event_rows(ert)] == [DEAD, PENDING]
    receiver.faults.fail_next = 0


def test_admins_see_dead_and_failing_deliveries_and_retry_one(eapp: Flask, ert: Runtime, receiver: Receiver) -> None:
    _one_dead_one_failing(eapp, ert, receiver)
    admin = staff_client(eapp, ert, "lin", role="admin")
    page = admin.get("/staff/events?lang=en").get_data(as_text=True)
    assert page.count('data-event="') == 2 and 'data-status="dead"' in page and "HTTP 500" in page
    assert "事件推送" in admin.get("/staff/events?lang=zh").get_data(as_text=True)
    dead = event_rows(ert)[0]
    assert admin.post(f"/staff/events/{dead.id}/retry").status_code == 303
    assert (event_rows(ert)[0].status, event_rows(ert)[0].attempts) == (PENDING, 0)
    assert deliver_events_once(ert.sessions, EventSender(ert.settings), settings=ert.settings) == 1
    assert event_rows(ert)[0].status == DELIVERED


def test_the_deliveries_page_and_its_retry_are_for_admins_only_and_need_a_csrf_token(
    eapp: Flask, ert: Runtime, receiver: Receiver
) -> None:
    _one_dead_one_failing(eapp, ert, receiver)
    agent = staff_client(eapp, ert, "amy")
    dead = event_rows(ert)[0]
    assert agent.get("/staff/events").status_code == 403
    assert agent.post(f"/staff/events/{dead.id}/retry").status_code == 403
    admin = staff_client(eapp, ert, "lin", role="admin")
    assert admin.client.post(f"/staff/events/{dead.id}/retry").status_code == 400  # no token
    assert event_rows(ert)[0].status == DEAD
    assert eapp.test_client().get("/staff/events").status_code == 302  # to the login


def test_metrics_count_pending_and_dead_events(eapp: Flask, ert: Runtime, receiver: Receiver) -> None:
    _one_dead_one_failing(eapp, ert, receiver)
    text = eapp.test_client().get("/metrics").get_data(as_text=True)
    assert "smsbot_events_pending 1.0" in text and "smsbot_events_dead 1.0" in text


def test_replay_sends_again_every_event_since_a_time(
    eapp: Flask, ert: Runtime, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = eapp.test_client()
    for body in ("转人工", "STOP"):
        assert send_sms(client, file(client)["applicant"]["phone"], body).status_code == 200
    while deliver_events_once(ert.sessions, EventSender(ert.settings), settings=ert.settings):
        pass
    assert {row.status for row in event_rows(ert)} == {DELIVERED}
    since = event_rows(ert)[1].created_at
    monkeypatch.setenv("DATABASE_URL", ert.settings.database_url)
    result = CliRunner().invoke(main, ["events", "replay", "--since", since.isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{len(event_rows(ert)) - 1} events since")
    assert [row.status for row in event_rows(ert)][:2] == [DELIVERED, PENDING]
    before = len(receiver.accepted())
    while deliver_events_once(ert.sessions, EventSender(ert.settings), settings=ert.settings):
        pass
    replayed = [receipt.webhook_id for receipt in receiver.accepted()[before:]]
    assert replayed == [row.webhook_id for row in event_rows(ert)[1:]]  # same ids, same order


def test_replay_refuses_a_time_that_is_not_iso() -> None:
    result = CliRunner().invoke(main, ["events", "replay", "--since", "yesterday"])
    assert result.exit_code == 2 and "not an ISO 8601 time" in result.output
