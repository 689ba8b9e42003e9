"""The worker's event delivery against a real HTTP receiver that fails, times out and goes down: every event
arrives, in order per application, signed; a receiver that is never reachable changes nothing but the events'
own rows; a day of failures makes a delivery dead, which holds back its application's later events only.
SQLite and PostgreSQL."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask

from smsbot.config import Settings
from smsbot.dependencies import Runtime
from smsbot.events.delivery import deliver_events_once, run_event_delivery
from smsbot.events.outcomes import retry_delay
from smsbot.events.sender import EventSender
from smsbot.models import utcnow
from smsbot.models.event import DEAD, DELIVERED, PENDING
from tests.delivery.helpers import drain, wait_until
from tests.events.delivered import all_delivered, assert_received_in_order
from tests.events.history import event_rows, make_history, recorded
from tests.events.receiver import Receiver
from tests.factories import AUTH, file, send_sms


@contextmanager
def delivering(rt: Runtime) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_event_delivery, args=(rt.sessions,), kwargs={"settings": rt.settings, "stop": stop}
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def test_events_reach_a_receiver_that_fails_times_out_and_goes_down_in_order_and_signed(
    eapp: Flask, ert: Runtime, receiver: Receiver
) -> None:
    expected = make_history(eapp, ert)
    receiver.faults.fail_next = 3
    receiver.faults.hold_next, receiver.faults.hold_seconds = 1, 0.8  # past the sender's 0.5 s timeout
    receiver.faults.down_at = 7  # then two good answers, and it goes down
    with delivering(ert):
        wait_until(lambda: any("not reached" in (row.last_error or "") for row in event_rows(ert)), timeout=20)
        time.sleep(0.5)  # down for a while: several tries meet a closed port
        receiver.start()
        wait_until(lambda: all_delivered(ert), timeout=30)
    answers = [receipt.answered for receipt in receiver.receipts]
    assert (answers.count(500), answers.count(503)) == (3, 1)
    assert_received_in_order(ert, receiver)
    assert recorded(ert) == expected
    assert max(row.attempts for row in event_rows(ert)) >= 3  # retried through the failures


def test_an_events_url_that_refuses_connections_changes_nothing_else(
    eapp: Flask, ert: Runtime, events_settings: Settings
) -> None:
    ert.settings = events_settings.model_copy(update={"events_url": f"http://127.0.0.1:{_closed_port()}/events"})
    client = eapp.test_client()
    expected = make_history(eapp, ert)
    with delivering(ert):
        wait_until(lambda: all(_heads(ert)) and min(_heads(ert)) >= 2, timeout=20)
        while drain(ert):
            pass
    states = {app_id: client.get(f"/api/v1/applications/{app_id}", headers=AUTH).get_json() for app_id in expected}
    assert {app_id: found["state"] for app_id, found in states.items()} == {
        app_id: {"application.confirmed": "confirmed", "application.settled": "closed"}[types[-1]]
        for app_id, types in expected.items()
    }
    for found in states.values():
        outbound = [m for m in found["messages"] if m["direction"] == "out"]
        assert outbound and all(
            m["status"] in ("accepted", "sent", "delivered", "suppressed", "cancelled") for m in outbound
        ), [m["status"] for m in outbound]
    rows = event_rows(ert)
    assert recorded(ert) == expected
    assert {row.status for row in rows} == {PENDING}
    assert all(row.last_error == "not reached (ConnectionError)" for row in rows if row.attempts)
    assert send_sms(client, file(client)["applicant"]["phone"], "1").status_code == 200  # the webhook still works


def test_a_day_of_failures_makes_a_delivery_dead_and_holds_back_only_its_applications_later_events(
    eapp: Flask, ert: Runtime, receiver: Receiver
) -> None:
    client = eapp.test_client()
    stuck, other = file(client), file(client)
    for body in ("转人工", "STOP"):
        assert send_sms(client, stuck["applicant"]["phone"], body).status_code == 200
    sender, start = EventSender(ert.settings), utcnow()
    receiver.faults.fail_next = 10**6
    assert deliver_events_once(ert.sessions, sender, settings=ert.settings, now=start) == 1  # the first event only
    day_later = start + timedelta(seconds=ert.settings.events_retry_for_seconds)
    assert deliver_events_once(ert.sessions, sender, settings=ert.settings, now=day_later) == 1
    first, second = event_rows(ert)
    assert (first.status, first.attempts, first.last_error, second.attempts) == (DEAD, 2, "HTTP 500", 0)
    receiver.faults.fail_next = 0
    assert send_sms(client, other["applicant"]["phone"], "1").status_code == 200
    assert deliver_events_once(ert.sessions, sender, settings=ert.settings, now=day_later) == 1  # the other's
    assert [row.status for row in event_rows(ert)] == [DEAD, PENDING, DELIVERED]


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap(events_settings: Settings) -> None:
    settings = events_settings.model_copy(update={"events_backoff_seconds": 10, "events_backoff_max_seconds": 3600})
    for attempts, step in ((1, 10), (2, 20), (3, 40), (9, 2560), (10, 3600), (60, 3600)):
        delays = {retry_delay(attempts, settings=settings) for _ in range(50)}
        assert all(step / 2 <= delay <= step for delay in delays), (attempts, delays)
        assert len(delays) > 1  # jittered


def _heads(rt: Runtime) -> list[int]:
    """The attempts of each application's first event: the only one tried while it is undelivered."""
    first: dict[int, int] = {}
    for row in event_rows(rt):
        first.setdefault(row.application_id, row.attempts)
    return list(first.values())


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
