"""gunicorn's configuration for smsbot, read automatically by `gunicorn wsgi:app` from this folder.

gthread workers: a webhook spends its time waiting on the database, so threads overlap that wait. Keep the
database pool (10 + 10 overflow per process) at least as large as `threads`.

With PROMETHEUS_MULTIPROC_DIR set (see smsbot/metrics/multiprocess.py), /metrics sums the counters of every
worker of this host: files left by dead processes are removed at start, a dead worker's live gauges at exit."""

import multiprocessing
import os

bind = os.environ.get("SMSBOT_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("SMSBOT_WEB_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("SMSBOT_WEB_THREADS", 8))
# With gthread, --timeout is a worker heartbeat, not a request timeout: provider and database calls carry
# their own timeouts inside the app.
timeout = 30
graceful_timeout = 30
keepalive = 5


def post_fork(server, worker):  # gunicorn's hook signature
    """With --preload the parent may have opened pooled connections; a child must never share them."""
    import wsgi

    runtime = wsgi.app.extensions.get("smsbot")
    if runtime is not None:
        runtime.engine.dispose(close=False)


def on_starting(server):  # gunicorn's hook signature
    from smsbot.metrics.multiprocess import clear_dead_processes

    clear_dead_processes()


def child_exit(server, worker):  # gunicorn's hook signature
    from smsbot.metrics.multiprocess import mark_dead

    mark_dead(worker.pid)
