"""gunicorn as production runs it (gthread workers), started on a free port for one measurement."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import OUT, ROOT, child_env, free_port, python

# The same for smsbot and for every floor, so only the application differs.
WORKERS = max(2, os.cpu_count() or 2)
THREADS = 4


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]


@contextmanager
def gunicorn(app: str, *, workers: int = WORKERS, threads: int = THREADS, **env: str) -> Iterator[Server]:
    """Run `app` (a gunicorn app spec) until the block ends; its log goes to bench/out/gunicorn.log."""
    port = free_port()
    command = [
        python(),
        "-m",
        "gunicorn",
        "--worker-class",
        "gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--bind=127.0.0.1:{port}",
        "--log-level=warning",
        app,
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "gunicorn.log").open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=child_env(**env), stdout=log, stderr=log)
    server = Server(process, port)
    try:
        _wait_ready(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(server: Server, workers: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}; see {OUT / 'gunicorn.log'}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
            if len(server.worker_pids()) >= workers:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start in time")
