"""The multiprocess directory's housekeeping at gunicorn's start, and the worker's sends counted in process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from smsbot.dependencies import Runtime
from smsbot.metrics.multiprocess import clear_dead_processes
from smsbot.metrics.sends import metered
from smsbot.worker import drain_once
from tests.factories import file


def a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_gunicorn_start_removes_dead_processes_files_and_keeps_live_ones(tmp_path: Path) -> None:
    dead, live = a_dead_pid(), os.getpid()  # a running `smsbot worker` stands for the live one
    for name in (f"counter_{dead}.db", f"histogram_{dead}.db", f"counter_{live}.db", f"gauge_livesum_{live}.db"):
        (tmp_path / name).write_bytes(b"")
    clear_dead_processes(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == [f"counter_{live}.db", f"gauge_livesum_{live}.db"]


def test_the_workers_sends_are_counted_with_their_latency(client: FlaskClient, rt: Runtime) -> None:
    for _ in range(2):
        file(client)
    drain_once(rt.sessions, metered(rt.provider, rt.metrics), settings=rt.settings)
    samples = {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))
        for sample in family.samples
    }
    assert samples[("smsbot_send_attempts_total", ("sent",))] == 2
    assert samples[("smsbot_send_attempts_total", ("retry",))] == 0
    assert samples[("smsbot_send_seconds_count", ())] == 2
