"""Events: events delivered per second by `smsbot worker` to a local receiver in its own process, beside a bare
loop of signed POSTs (standardwebhooks' signature, one keep-alive requests session) of the same bodies to the
same receiver. The outbox holds two events for each of half as many applications, so the order rule (an
application's second event waits for its first) is part of what is measured."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import requests
from standardwebhooks import Webhook

from bench.common import PREFIX, ROOT, Profile, child_env, median, migrate, pg_database, python, rows_per_second
from bench.seed import seed_pg

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
_PAYLOAD = (
    '{"type":"application.handed_off","timestamp":"2026-12-03T10:15:00.000000Z","data":{"application_id":%s,'
    '"external_id":"bench-%s","state":"handed_off","previous_state":"awaiting_confirmation",'
    '"handoff_reason":"human_requested","cause":"message","reason":"human_requested"}}'
)

DELIVERED = "SELECT delivered_at FROM event_outbox WHERE status = 'delivered'"


@contextmanager
def receiver() -> Iterator[str]:
    process = subprocess.Popen(
        [python(), "-m", "bench.event_receiver"], cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("listening on "):
            raise RuntimeError(f"the event receiver did not start: {line!r}")
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def payloads(count: int) -> list[tuple[str, str]]:
    """(webhook id, body) of `count` events, two per application."""
    return [(f"evt_bench{i:023d}", _PAYLOAD % (i // 2 + 1, i // 2 + 1)) for i in range(count)]


def seed_events(url: str, count: int) -> None:
    seed_pg(url, (count + 1) // 2)
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO event_outbox (webhook_id, application_id, type, payload, status, attempts, "
            "next_attempt_at, created_at) VALUES (%s, %s, 'application.handed_off', %s, 'pending', 0, now(), now())",
            [(webhook_id, i // 2 + 1, body) for i, (webhook_id, body) in enumerate(payloads(count))],
        )
        cursor.execute("VACUUM ANALYZE event_outbox")  # as autovacuum keeps a live table
    # The reports' aggregates current, as a running worker keeps them: the seeded filings are not rolled up
    # during the measurement (`smsbot report` rolls up before it prints).
    subprocess.run(
        [python(), "-m", "smsbot.cli", "report"],
        cwd=ROOT,
        env=child_env(DATABASE_URL=url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def worker_rate(events_url: str, count: int) -> float:
    with pg_database(PREFIX + "events") as url:
        migrate(url)
        seed_events(url, count)
        env = child_env(DATABASE_URL=url, SMSBOT_SMS_BACKEND="simulator", SMSBOT_EVENTS_URL=events_url)
        env["SMSBOT_EVENTS_SECRET"] = SECRET
        worker = subprocess.Popen(
            [python(), "-m", "smsbot.cli", "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
        )
        try:
            return rows_per_second(url, count, done=DELIVERED)
        finally:
            worker.terminate()
            worker.wait(timeout=30)


def bare_rate(events_url: str, count: int) -> float:
    """Sign and POST the same bodies one after another on one keep-alive session."""
    webhook, session = Webhook(SECRET), requests.Session()
    events = payloads(count)
    session.post(events_url, data=b"{}", timeout=10)  # connection warm
    started = time.perf_counter()
    for webhook_id, body in events:
        moment = datetime.now(UTC)
        headers = {
            "webhook-id": webhook_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": webhook.sign(webhook_id, moment, body),
            "content-type": "application/json",
        }
        response = session.post(events_url, data=body.encode(), headers=headers, timeout=10)
        response.raise_for_status()
    return count / (time.perf_counter() - started)


def run(profile: Profile) -> dict[str, Any]:
    smsbot, floor = [], []
    with receiver() as events_url:
        for _ in range(profile.repeats):
            smsbot.append(worker_rate(events_url, profile.event_rows))
            floor.append(bare_rate(events_url, profile.event_rows))
    return {
        "events": {
            "rps": round(median(smsbot), 1),
            "floor_rps": round(median(floor), 1),
            "ratio": round(median([s / f for s, f in zip(smsbot, floor, strict=True)]), 3),
            "events": profile.event_rows,
            "applications": (profile.event_rows + 1) // 2,
        }
    }
