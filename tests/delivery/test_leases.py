"""A claim is a lease that cannot be outlived: with a slow provider and several workers, one text per row."""

from __future__ import annotations

from flask import Flask

from smsbot.config import Settings
from smsbot.dependencies import Runtime
from tests.delivery.conftest import start_worker
from tests.delivery.helpers import wait_until
from tests.delivery.test_worker_processes import all_done, file_many, stop
from tests.twilio_standin import TwilioStandIn

# A lease of 5 s, a provider that takes most of a second per text, four sends at a time per worker: a worker
# that claimed a whole batch of 40 at once would still be sending when the lease of its last rows ran out.
SLOW = {"SMSBOT_LEASE_SECONDS": "5", "SMSBOT_TWILIO_TIMEOUT_SECONDS": "1.5", "SMSBOT_SEND_CONCURRENCY": "4"}


def test_two_workers_and_a_slow_provider_send_one_text_per_row(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    standin.set_callback_mode("none")
    phones = file_many(live_app, 40)
    standin.delay_next(40, delay_ms=800, created=True)  # created at once, answered late: a slow provider
    workers = [start_worker(twilio_settings, **SLOW) for _ in range(2)]
    try:
        wait_until(lambda: all_done(trt, phones), timeout=120)
    finally:
        for worker in workers:
            stop(worker)
    created = standin.stats()["created_by_to"]
    assert {phone: created.get(phone) for phone in phones} == {phone: 1 for phone in phones}
