"""Delivery fixtures: the Twilio stand-in over real HTTP, smsbot served on a real port for its callbacks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.dependencies import Runtime, build_runtime
from tests.conftest import AUTH_TOKEN
from tests.twilio_standin import TwilioStandIn

ACCOUNT_SID = "AC" + "5" * 32
FROM_NUMBER = "+15005550006"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, callback_delay_ms=5) as running:
        yield running


@pytest.fixture
def live_server_port() -> Iterator[int]:
    """Reserve the port first: the stand-in must know where to post callbacks before the app exists."""
    server = make_server("127.0.0.1", 0, Flask("placeholder"))
    port = server.server_port
    server.server_close()
    yield port


@pytest.fixture
def twilio_settings(settings: Settings, standin: TwilioStandIn, live_server_port: int) -> Settings:
    return settings.model_copy(
        update={
            "sms_backend": "twilio",
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from_number": FROM_NUMBER,
            "twilio_api_base_url": standin.base_url,
            "twilio_timeout_seconds": 1.0,
            "public_url": f"http://127.0.0.1:{live_server_port}",
        }
    )


@pytest.fixture
def trt(twilio_settings: Settings) -> Iterator[Runtime]:
    runtime = build_runtime(twilio_settings)
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def live_app(twilio_settings: Settings, trt: Runtime, live_server_port: int, standin: TwilioStandIn) -> Iterator[Flask]:
    """smsbot on a real port, so the stand-in's signed status callbacks reach it over HTTP."""
    app = create_app(twilio_settings, rt=trt)
    server = make_server("127.0.0.1", live_server_port, app, threaded=True)
    server.daemon_threads = False  # so that closing the server waits for requests in flight
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    standin.wait_for_callbacks(timeout=5)
    server.shutdown()
    server.server_close()
    thread.join()


def worker_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a `smsbot worker` process with these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": settings.database_url,
        "SMSBOT_SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM_NUMBER": settings.twilio_from_number,
        "TWILIO_API_BASE_URL": settings.twilio_api_base_url,
        "SMSBOT_PUBLIC_URL": settings.public_url,
        "SMSBOT_NOTICE_HOURS": settings.notice_hours,
        "SMSBOT_REMINDER_HOURS": settings.reminder_hours,
        "SMSBOT_SEND_RATE": "0",
        "SMSBOT_WORKER_POLL_SECONDS": "0.05",
        "SMSBOT_TWILIO_TIMEOUT_SECONDS": "5",
    }
    return env | extra


def start_worker(settings: Settings, **extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "smsbot.cli", "worker"],
        env=worker_env(settings, **extra),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
