"""Reports: p99 of /staff/reports and of /metrics on PostgreSQL with 1,000,000 applications and 5,000,000
messages against the same on 1,000, and /metrics scraped while the page is under load. The seed is plain SQL
(bench.seed, then generate_series for the replies and outcomes, filings spread over a year); the rollup then
catches up once, as `smsbot worker` does after an upgrade (one backfill): that first catch-up is timed as its
own figure, with its rate, before any page is asked, so it is no part of the page's p99."""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import psycopg

from bench.common import Profile
from bench.databases import template
from smsbot.app import create_app
from smsbot.config import load_settings
from smsbot.dependencies import build_runtime
from smsbot.reports.rollup import catch_up
from smsbot.staff.accounts import create_staff

REQUESTS = 200
SMALL = 1_000
_HISTORY = [
    "UPDATE applications SET created_at = now() - (id % 365) * interval '1 day'",
    # Four more messages an application: the reply, the bot's answer, a reminder, a second reply: 5 per app.
    """INSERT INTO messages (application_id, direction, phone, body, kind, status, priority, send_after, attempts,
        created_at, updated_at)
       SELECT a.id, m.direction, a.phone, m.body, m.kind, m.status, 0, a.created_at, 0,
        a.created_at + m.after, a.created_at + m.after FROM applications a
       CROSS JOIN (VALUES ('in', '1', 'reply', 'received', interval '20 minutes'),
                          ('out', '已确认', 'confirmed', 'delivered', interval '21 minutes'),
                          ('out', '提醒', 'reminder', 'delivered', interval '1 day'),
                          ('in', '好', 'reply', 'received', interval '25 hours'))
        AS m(direction, body, kind, status, after)""",
    """INSERT INTO transitions (application_id, event, from_state, to_state, cause, created_at)
       SELECT id, 'confirm', 'awaiting_confirmation', 'confirmed', 'message', created_at + interval '20 minutes'
       FROM applications WHERE mod(id, 5) < 3""",
    "UPDATE applications SET state = 'confirmed' WHERE mod(id, 5) < 3",
    "VACUUM ANALYZE",
]


def _seed_history(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in _HISTORY:
            conn.execute(statement)


def _p99(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=100)[98] * 1000, 1)


def _measure(url: str) -> dict[str, float]:
    settings = load_settings(
        database_url=url, secret_key="bench", api_token="bench", public_url="http://127.0.0.1", sms_backend="simulator"
    )
    rt = build_runtime(settings)
    started = time.monotonic()
    folded = catch_up(rt.sessions, timezone=settings.default_timezone, max_rounds=10_000)
    rollup_s = time.monotonic() - started
    create_staff(rt.sessions, "bench", "bench password 1", role="agent")
    app = create_app(settings, rt=rt)
    app.config["STAFF_FAILED_LOGIN_DELAY"] = 0
    client = _login(app)
    page = _timed(lambda: client.get("/staff/reports"))
    year = _timed(lambda: client.get("/staff/reports?since=2025-12-01"))
    scrape = app.test_client()
    metrics = _timed(lambda: scrape.get("/metrics"))
    stop = threading.Event()
    loaders = [threading.Thread(target=_load, args=(_login(app), stop)) for _ in range(2)]
    for thread in loaders:
        thread.start()
    loaded = _timed(lambda: scrape.get("/metrics"))
    stop.set()
    for thread in loaders:
        thread.join()
    rt.engine.dispose()
    return {
        "page_p99_ms": _p99(page),
        "page_year_p99_ms": _p99(year),
        "metrics_p99_ms": _p99(metrics),
        "metrics_under_load_p99_ms": _p99(loaded),
        "rollup_catch_up_s": round(rollup_s, 1),
        "rollup_catch_up_apps_per_s": round(folded / rollup_s) if rollup_s else 0,
    }


def _login(app: Any) -> Any:
    import re

    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").get_data(as_text=True))
    assert token is not None
    form = {"csrf_token": token.group(1), "username": "bench", "password": "bench password 1"}
    assert client.post("/staff/login", data=form).status_code == 303
    return client


def _timed(request: Any) -> list[float]:
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = request()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return samples


def _load(client: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        client.get("/staff/reports")


def run(profile: Profile) -> dict[str, Any]:
    big = profile.scale_rows
    with template("pg", "reports_small", SMALL) as small_db, template("pg", "reports_big", big) as big_db:
        results = {}
        for name, made in (("small", small_db), ("big", big_db)):
            with made.copy() as url:
                _seed_history(url)
                results[name] = _measure(url.replace("postgresql://", "postgresql+psycopg://", 1))
    small, large = results["small"], results["big"]
    return {
        "reports": {
            "page_p99_ms_big": large["page_p99_ms"],
            "page_p99_ms_small": small["page_p99_ms"],
            "page_year_p99_ms_big": large["page_year_p99_ms"],
            "metrics_p99_ms_big": large["metrics_p99_ms"],
            "metrics_p99_ms_small": small["metrics_p99_ms"],
            "metrics_under_load_p99_ms_big": large["metrics_under_load_p99_ms"],
            "rollup_first_catch_up_s_big": large["rollup_catch_up_s"],
            "rollup_first_catch_up_apps_per_s_big": large["rollup_catch_up_apps_per_s"],
            "applications_big": big,
            "messages_big": big * 5,
        }
    }
