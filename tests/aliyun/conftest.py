"""smsbot served on a real port with a callback token, for the gateway's pushes over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.dependencies import Runtime
from tests.factories import AUTH, application_payload

CALLBACK_TOKEN = "cb-" + "7f3a" * 12  # as long as production asks


@dataclass
class Served:
    base_url: str
    rt: Runtime

    @property
    def sms_up(self) -> str:
        return f"{self.base_url}/webhooks/aliyun/sms-up/{CALLBACK_TOKEN}"

    @property
    def sms_report(self) -> str:
        return f"{self.base_url}/webhooks/aliyun/sms-report/{CALLBACK_TOKEN}"

    def file(self, **overrides: Any) -> dict[str, Any]:
        response = requests.post(
            f"{self.base_url}/api/v1/applications", json=application_payload(**overrides), headers=AUTH, timeout=30
        )
        assert response.status_code == 201, response.text
        return response.json()

    def application(self, app_id: int) -> dict[str, Any]:
        response = requests.get(f"{self.base_url}/api/v1/applications/{app_id}", headers=AUTH, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


def serve(settings: Settings, rt: Runtime) -> Iterator[Served]:
    runtime = Runtime(settings, rt.engine, rt.sessions, rt.provider)
    server = make_server("127.0.0.1", 0, create_app(settings, rt=runtime), threaded=True)
    server.daemon_threads = False  # closing the server waits for requests in flight
    thread = threading.Thread(target=server.serve_forever, name="aliyun-live-app", daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.server_port}", runtime)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def aliyun_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"callback_token": CALLBACK_TOKEN})


@pytest.fixture
def served(aliyun_settings: Settings, rt: Runtime) -> Iterator[Served]:
    yield from serve(aliyun_settings, rt)
