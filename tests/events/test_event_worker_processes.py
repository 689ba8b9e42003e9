"""A real `smsbot worker` process killed with SIGKILL in the middle of delivering events loses none: the events
it held come back when their lease ends and the next worker sends them, still in order per application."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from flask import Flask

from smsbot.config import Settings
from smsbot.dependencies import Runtime
from tests.conftest import EVENTS_SECRET
from tests.delivery.conftest import PROJECT_ROOT
from tests.delivery.helpers import wait_until
from tests.delivery.test_worker_processes import stop
from tests.events.delivered import all_delivered, assert_received_in_order
from tests.events.history import event_rows, make_history
from tests.events.receiver import Receiver


def start_worker(settings: Settings, receiver: Receiver) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": settings.database_url,
        "SMSBOT_SMS_BACKEND": "simulator",
        "SMSBOT_NOTICE_HOURS": "00:00-24:00",
        "SMSBOT_REMINDER_HOURS": "00:00-24:00",
        "SMSBOT_SEND_RATE": "0",
        "SMSBOT_WORKER_POLL_SECONDS": "0.05",
        "SMSBOT_LEASE_SECONDS": "5",
        "SMSBOT_TWILIO_TIMEOUT_SECONDS": "1",  # a lease must outlast one provider call
        "SMSBOT_EVENTS_URL": receiver.url,
        "SMSBOT_EVENTS_SECRET": EVENTS_SECRET,
        "SMSBOT_EVENTS_TIMEOUT_SECONDS": "1",
        "SMSBOT_EVENTS_BACKOFF_SECONDS": "0.05",
        "SMSBOT_EVENTS_BACKOFF_MAX_SECONDS": "0.2",
    }
    command = [sys.executable, "-m", "smsbot.cli", "worker"]
    return subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_worker_killed_mid_delivery_loses_no_event(
    eapp: Flask, ert: Runtime, events_settings: Settings, receiver: Receiver
) -> None:
    expected = make_history(eapp, ert)
    receiver.faults.delay_seconds = 0.3  # each answer comes late, so the kill lands with events in flight
    first = start_worker(events_settings, receiver)
    wait_until(lambda: len(receiver.receipts) >= 3, timeout=30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    stop(first)
    assert not all_delivered(ert)
    assert any(row.lease_until is not None for row in event_rows(ert)), "the kill left events leased"
    receiver.faults.delay_seconds = 0
    second = start_worker(events_settings, receiver)
    try:
        wait_until(lambda: all_delivered(ert), timeout=60)
    finally:
        stop(second)
    assert_received_in_order(ert, receiver)
    assert sorted(row.application_id for row in event_rows(ert)) == sorted(
        app_id for app_id, types in expected.items() for _ in types
    )
