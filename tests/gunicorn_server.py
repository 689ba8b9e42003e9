"""`gunicorn wsgi:app` as production runs it (gunicorn.conf.py, gthread), on a free port, for tests that need
several real web processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

from tests.processes import stop

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    base_url: str
    log: IO[bytes]

    def log_tail(self, size: int = 4000) -> str:
        """The end of what the server has logged so far, for an assertion's message."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-size:]

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int = 2) -> Iterator[Gunicorn]:
    """Serve until the block ends, with only `env` (plus PATH-like basics) as the environment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        bind = f"127.0.0.1:{probe.getsockname()[1]}"
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "DATABASE_URL"))}
    env = keep | env | {"SMSBOT_BIND": bind, "SMSBOT_WEB_WORKERS": str(workers), "SMSBOT_WEB_THREADS": str(threads)}
    # The log goes to a file, not a pipe: a pipe nobody reads fills up and stalls the server mid-test.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        server = Gunicorn(process, f"http://{bind}", log)
        try:
            _wait_ready(server, workers)
            yield server
        finally:
            stop(process, timeout=30)


def _wait_ready(server: Gunicorn, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.process.returncode}: {server.log_tail(2000)}")
        try:
            healthy = requests.get(f"{server.base_url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            healthy = False
        if healthy and len(server.worker_pids()) >= workers:
            return
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start in time")
