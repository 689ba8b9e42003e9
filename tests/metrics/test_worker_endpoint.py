"""A `smsbot worker` on a host with no gunicorn serves its own counters (SMSBOT_WORKER_METRICS_PORT)."""

from __future__ import annotations

import socket

import requests
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from smsbot.config import Settings
from tests.delivery.conftest import start_worker
from tests.delivery.helpers import wait_until
from tests.delivery.test_worker_processes import stop
from tests.factories import file

NOTICES = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def sent(port: int) -> float | None:
    try:
        text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    except requests.ConnectionError:
        return None  # not listening yet
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "smsbot_send_attempts_total" and sample.labels == {"outcome": "sent"}:
                return sample.value
    return None


def test_a_worker_serves_its_sends_on_its_own_port(client: FlaskClient, settings: Settings) -> None:
    for _ in range(NOTICES):
        file(client)
    port = free_port()
    worker = start_worker(settings, SMSBOT_SMS_BACKEND="simulator", SMSBOT_WORKER_METRICS_PORT=str(port))
    try:
        wait_until(lambda: sent(port) == NOTICES, timeout=60)
        assert [sent(port) for _ in range(5)] == [NOTICES] * 5
    finally:
        stop(worker)
