"""gunicorn's configuration for smsbot, read automatically by `gunicorn wsgi:app` from this folder.

gthread workers: a webhook spends its time waiting on the database, so threads overlap that wait. Keep the
database pool (10 + 10 overflow per process) at least as large as `threads`."""

import multiprocessing
import os
import sys

bind = os.environ.get("SMSBOT_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("SMSBOT_WEB_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("SMSBOT_WEB_THREADS", 8))
# With gthread, --timeout is a worker heartbeat, not a request timeout: provider and database calls carry
# their own timeouts inside the app.
timeout = 30
graceful_timeout = 30
keepalive = 5
SWITCH_INTERVAL_SECONDS = float(os.environ.get("SMSBOT_SWITCH_INTERVAL_SECONDS", 0.0002))


def post_fork(server, worker):  # gunicorn's hook signature
    """With --preload the parent may have opened pooled connections; a child must never share them.

    A thread holding a database lock gives up the GIL for every statement and must win it back from the threads
    parsing other requests; with Python's default 5 ms switch interval each of those waits can stretch the lock
    (on SQLite, the one write lock) many times over. A shorter interval hands the GIL back sooner."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    import wsgi

    runtime = wsgi.app.extensions.get("smsbot")
    if runtime is not None:
        runtime.engine.dispose(close=False)
