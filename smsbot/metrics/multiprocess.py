"""prometheus-client's multiprocess mode: every process (each gunicorn worker, each `smsbot worker`) writes
its counters to memory-mapped files in `PROMETHEUS_MULTIPROC_DIR`, and a scrape of any gunicorn worker sums
the files of all of them. Without the variable each process counts for itself (one process: `smsbot serve`,
the tests).

Why this and not counts kept in the database: an increment is a write to a mapped page (about a microsecond),
so the webhook, whose whole budget is a few database round trips, pays nothing for it, and nothing contends
for a counter row; counts kept in rows would add a write, on SQLite under the one write lock, to every
webhook and every send. The price is that the files are per host: a host's gunicorn serves the counters of
the processes of that host, and Prometheus sums across hosts (`sum(...)`), as it does for any service.

prometheus-client reads the variable itself, once, when it is first imported, so it is an environment
variable of the process and not a field of our settings: setting it later would change nothing."""

from __future__ import annotations

import os
from pathlib import Path

from prometheus_client import multiprocess

ENVIRONMENT_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    """The shared directory, created if missing, or None when each process counts alone."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if not value:
        return None
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def clear_dead_processes(path: Path | None = None) -> None:
    """At gunicorn's start: remove the files of processes that are gone, left by an earlier run.

    The files of live processes stay: a `smsbot worker` already running on this host keeps writing to its
    file, and deleting it would drop its counts from every later scrape. (pids are only meaningful on one
    host, hence one directory per host.) Counters that disappear here read to Prometheus as a restart,
    which `rate()` and `increase()` handle."""
    path = path or multiprocess_dir()
    if path is None:
        return
    for file in path.glob("*.db"):
        pid = file.stem.rpartition("_")[2]
        if not pid.isdigit() or not _alive(int(pid)):
            file.unlink(missing_ok=True)


def mark_dead(pid: int) -> None:
    """gunicorn's child_exit: drop a dead worker's live gauges. Its counters stay, so totals never fall."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True
