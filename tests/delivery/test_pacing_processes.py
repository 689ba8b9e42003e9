"""`SMSBOT_SEND_RATE` across real `smsbot worker` processes: the texts reach the provider paced from the very
first one, however the workers' start-up (imports, client set-up, the first claim) falls."""

from __future__ import annotations

import itertools
from datetime import datetime

from flask import Flask

from smsbot.config import Settings
from smsbot.dependencies import Runtime
from tests.delivery.conftest import start_worker
from tests.delivery.helpers import wait_until
from tests.delivery.test_worker_processes import all_done, file_many, stop
from tests.twilio_standin import TwilioStandIn

RATE = 2  # texts a second: an interval of 0.5 s, wide beside the jitter of a local HTTP request
# Arrival times at the provider carry the HTTP request's own jitter; a gap under this is two sends paced as one.
SHORTEST_GAP_SECONDS = 0.3


def test_two_workers_send_at_the_configured_rate_from_the_first_text(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    standin.set_callback_mode("none")
    phones = file_many(live_app, 10)
    workers = [start_worker(twilio_settings, SMSBOT_SEND_RATE=str(RATE)) for _ in range(2)]
    try:
        wait_until(lambda: all_done(trt, phones), timeout=60)
    finally:
        for worker in workers:
            stop(worker)
    arrivals = sorted(datetime.fromisoformat(str(r["received_at"])) for r in standin.requests())
    assert len(arrivals) == len(phones)
    gaps = [round((b - a).total_seconds(), 3) for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= SHORTEST_GAP_SECONDS, gaps
    in_any_second = max(sum(1 for t in arrivals if 0 <= (t - start).total_seconds() < 1) for start in arrivals)
    assert in_any_second <= RATE + 1, gaps  # a window opening on a send also holds the one a whole second on
