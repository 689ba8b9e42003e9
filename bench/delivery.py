"""Delivery: outbox rows drained per second by `smsbot worker` (twilio backend, pacing off) against the local
Twilio stand-in running as its own process, beside a bare loop of `client.messages.create` against the same
stand-in. Both send the same messages with the same status-callback URL."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bench.common import (
    PREFIX,
    ROOT,
    Profile,
    Stalled,
    child_env,
    median,
    migrate,
    pg_database,
    python,
    rows_per_second,
)
from bench.seed import NOTICE, phone

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-standin-auth-token"
FROM = "+15005550006"
CALLBACK = "http://127.0.0.1:9/webhooks/twilio/status"  # nothing listens: callbacks fail fast, as elsewhere
BODY = NOTICE
# When each row was handed over (accepted: sent_at) or given up (failed), by the worker's clock.
SENT = "SELECT coalesce(sent_at, updated_at) FROM messages WHERE provider_sid IS NOT NULL OR status = 'failed'"


@contextmanager
def standin() -> Iterator[str]:
    """The stand-in as its own process; yields its base URL."""
    command = [python(), "-m", "tests.twilio_standin", "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    process = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line.startswith("listening on "):
            raise RuntimeError(f"the Twilio stand-in did not start: {line!r}")
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        process.wait(timeout=30)


def seed_outbox(url: str, count: int) -> None:
    """`count` queued notices, due now, each to its own phone."""
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO messages (direction, phone, body, kind, status, priority, send_after, attempts, "
            "created_at, updated_at) VALUES ('out', %s, %s, 'notice', 'queued', 10, now(), 0, now(), now())",
            [(phone(i), BODY) for i in range(1, count + 1)],
        )


def _control(base_url: str, method: str, path: str) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base_url}/_control/{path}", method=method, data=b"{}" if method == "POST" else None
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def worker_rate(base_url: str, count: int) -> tuple[float, int]:
    """Start `smsbot worker` on a fresh outbox; rows per second from its first send to its last, and how many
    messages the stand-in created beyond one per row (a resend loop shows here)."""
    _control(base_url, "POST", "reset")
    with pg_database(PREFIX + "delivery") as url:
        migrate(url)
        seed_outbox(url, count)
        env = child_env(
            DATABASE_URL=url,
            SMSBOT_SMS_BACKEND="twilio",
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_FROM_NUMBER=FROM,
            TWILIO_API_BASE_URL=base_url,
            SMSBOT_SEND_RATE="0",
            SMSBOT_PUBLIC_URL=CALLBACK.removesuffix("/webhooks/twilio/status"),
        )
        worker = subprocess.Popen(
            [python(), "-m", "smsbot.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            rate = rows_per_second(url, count, done=SENT)
            time.sleep(0.5)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        created = int(_control(base_url, "GET", "stats")["created_messages"])
        return rate, created - count


def bare_rate(base_url: str, count: int) -> float:
    """A bare loop of messages.create with the same client settings the provider uses."""
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=TwilioHttpClient(timeout=10))
    client.api.base_url = base_url
    client.messages.create(to=phone(0), from_=FROM, body=BODY, status_callback=CALLBACK)  # connection warm
    started = time.perf_counter()
    for i in range(1, count + 1):
        client.messages.create(to=phone(i), from_=FROM, body=BODY, status_callback=CALLBACK)
    return count / (time.perf_counter() - started)


def run(profile: Profile) -> dict[str, Any]:
    if importlib.util.find_spec("smsbot.delivery.providers.twilio") is None:
        return {"delivery": {"skipped": "provider missing (smsbot/providers/twilio.py)"}}
    smsbot, floor, resent = [], [], 0
    with standin() as base_url:
        for _ in range(profile.repeats):
            try:
                rate, extra = worker_rate(base_url, profile.delivery_rows)
            except Stalled as exc:
                return {"delivery": {"error": str(exc), "floor_rps": round(bare_rate(base_url, 200), 1)}}
            smsbot.append(rate)
            resent += extra
            floor.append(bare_rate(base_url, profile.delivery_rows))
    return {
        "delivery": {
            "rps": round(median(smsbot), 1),
            "floor_rps": round(median(floor), 1),
            "ratio": round(median([s / f for s, f in zip(smsbot, floor, strict=True)]), 3),
            "rows": profile.delivery_rows,
            "duplicate_sends": resent,
        }
    }
