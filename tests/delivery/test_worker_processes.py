"""Real `smsbot worker` processes: killed mid-batch, or several at once, every message goes exactly once."""

from __future__ import annotations

import os
import signal

from flask import Flask
from sqlalchemy import select

from smsbot.config import Settings
from smsbot.delivery.providers.twilio import RECONCILED
from smsbot.dependencies import Runtime
from smsbot.models import SendAttempt
from tests.delivery.conftest import start_worker
from tests.delivery.helpers import outbound, wait_until
from tests.factories import file
from tests.processes import stop
from tests.twilio_standin import TwilioStandIn

DONE = ("accepted", "sent", "delivered")
# A lease must outlast a whole provider call (twice the HTTP timeout, plus a second).
SHORT_LEASE = {"SMSBOT_LEASE_SECONDS": "5", "SMSBOT_TWILIO_TIMEOUT_SECONDS": "1.5"}


def file_many(app: Flask, count: int) -> list[str]:
    client = app.test_client()
    return [file(client)["applicant"]["phone"] for _ in range(count)]


def all_done(rt: Runtime, phones: list[str]) -> bool:
    return all(outbound(rt, phone)[0].status in DONE for phone in phones)


def test_a_worker_killed_mid_batch_leaves_every_message_sent_exactly_once(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    standin.set_callback_mode("none")
    phones = file_many(live_app, 12)
    # Each create is stored at once but answered late, so the kill lands between Twilio's create and our commit.
    standin.delay_next(12, delay_ms=400, created=True)
    first = start_worker(twilio_settings, **SHORT_LEASE)
    wait_until(lambda: standin.stats()["created_messages"] >= 4, timeout=30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    stop(first)
    standin.clear_faults()
    assert not all_done(trt, phones)
    second = start_worker(twilio_settings, **SHORT_LEASE)
    try:
        wait_until(lambda: all_done(trt, phones), timeout=60)
    finally:
        stop(second)
    created = standin.stats()["created_by_to"]
    assert {phone: created.get(phone) for phone in phones} == {phone: 1 for phone in phones}
    assert all(outbound(trt, phone)[0].provider_sid for phone in phones)
    with trt.sessions() as session:
        details = session.execute(select(SendAttempt.detail)).scalars().all()
    assert RECONCILED in details  # the message in flight at the kill was found at Twilio, not sent again


def test_two_workers_never_send_a_row_twice(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    standin.set_callback_mode("none")
    phones = file_many(live_app, 40)
    workers = [start_worker(twilio_settings) for _ in range(2)]
    try:
        wait_until(lambda: all_done(trt, phones), timeout=60)
    finally:
        for worker in workers:
            stop(worker)
    stats = standin.stats()
    assert stats["created_messages"] == 40
    assert set(stats["created_by_to"].values()) == {1}
