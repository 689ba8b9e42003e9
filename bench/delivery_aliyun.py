"""Delivery on the mainland gateway: outbox rows drained per second by `smsbot worker` (aliyun backend, pacing
off) against the Alibaba Cloud SMS stand-in running as its own process, beside a bare loop of the SDK's
SendSms against the same stand-in. Both send the same template with the same values, signed alike."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_dysmsapi20170525.models import SendSmsRequest
from alibabacloud_tea_openapi.utils_models import Config
from darabonba.runtime import RuntimeOptions

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
from bench.delivery import SENT
from bench.seed import NOTICE, phone

KEY_ID = "LTAI5tBenchKeyId00000001"
KEY_SECRET = "bench-stand-in-access-key-secret"
SIGN_NAME = "示例农商银行"
TEMPLATE_CODE = "SMS_000000001"  # the shipped zh notice
PARAMS = {"amount": "5万元", "hotline": "95XXX", "name": "张*", "when": "8月3日10:15"}
TIMEOUT_MS = 10_000


@contextmanager
def standin() -> Iterator[str]:
    """The stand-in as its own process on a free port; yields its base URL."""
    command = [python(), "-m", "tests.aliyun_gateway", "--port", "0", "--quiet"]
    command += ["--access-key-id", KEY_ID, "--access-key-secret", KEY_SECRET]
    process = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if " at http://" not in line:
            raise RuntimeError(f"the Alibaba Cloud SMS stand-in did not start: {line!r}")
        yield line.split(" at ", 1)[1].split()[0]
    finally:
        process.terminate()
        process.wait(timeout=30)


def stats(base_url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{base_url}/_control/stats", timeout=10) as response:
        answer: dict[str, int] = json.load(response)
        return answer


def seed_outbox(url: str, count: int) -> None:
    """`count` queued notices rendered from the `notice` template, due now, each to its own phone."""
    params = json.dumps(PARAMS, ensure_ascii=False, sort_keys=True)
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO messages (direction, phone, body, kind, status, priority, send_after, attempts, "
            "created_at, updated_at, template, template_params) VALUES ('out', %s, %s, 'notice', 'queued', 10, "
            "now(), 0, now(), now(), 'notice', %s)",
            [(phone(i), NOTICE, params) for i in range(1, count + 1)],
        )


def worker_rate(base_url: str, count: int) -> tuple[float, int]:
    """Start `smsbot worker` on a fresh outbox; rows per second from its first send to its last, and how many
    SendSms the stand-in accepted beyond one per row."""
    before = stats(base_url)["sent"]
    with pg_database(PREFIX + "delivery_aliyun") as url:
        migrate(url)
        seed_outbox(url, count)
        env = child_env(
            DATABASE_URL=url,
            SMSBOT_SMS_BACKEND="aliyun",
            ALIYUN_ACCESS_KEY_ID=KEY_ID,
            ALIYUN_ACCESS_KEY_SECRET=KEY_SECRET,
            ALIYUN_SMS_SIGN_NAME=SIGN_NAME,
            ALIYUN_SMS_ENDPOINT=base_url,
            SMSBOT_SEND_RATE="0",
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
        return rate, stats(base_url)["sent"] - before - count


def bare_rate(base_url: str, count: int) -> float:
    """A bare loop of SendSms with the same client settings the provider uses."""
    protocol, host = base_url.split("://", 1)
    config = Config(
        access_key_id=KEY_ID,
        access_key_secret=KEY_SECRET,
        endpoint=host,
        protocol=protocol,
        connect_timeout=TIMEOUT_MS,
        read_timeout=TIMEOUT_MS,
    )
    client = Client(config)
    runtime = RuntimeOptions(autoretry=False, connect_timeout=TIMEOUT_MS, read_timeout=TIMEOUT_MS)
    template_param = json.dumps(PARAMS, ensure_ascii=False)

    def send(i: int) -> None:
        request = SendSmsRequest(
            phone_numbers=phone(i).removeprefix("+86"),
            sign_name=SIGN_NAME,
            template_code=TEMPLATE_CODE,
            template_param=template_param,
            out_id=str(i),
        )
        client.send_sms_with_options(request, runtime)

    send(0)  # connection warm
    started = time.perf_counter()
    for i in range(1, count + 1):
        send(i)
    return count / (time.perf_counter() - started)


def run(profile: Profile) -> dict[str, Any]:
    smsbot, floor, resent = [], [], 0
    with standin() as base_url:
        for _ in range(profile.repeats):
            try:
                rate, extra = worker_rate(base_url, profile.delivery_rows)
            except Stalled as exc:
                return {"delivery_aliyun": {"error": str(exc), "floor_rps": round(bare_rate(base_url, 200), 1)}}
            smsbot.append(rate)
            resent += extra
            floor.append(bare_rate(base_url, profile.delivery_rows))
    return {
        "delivery_aliyun": {
            "rps": round(median(smsbot), 1),
            "floor_rps": round(median(floor), 1),
            "ratio": round(median([s / f for s, f in zip(smsbot, floor, strict=True)]), 3),
            "rows": profile.delivery_rows,
            "duplicate_sends": resent,
        }
    }
