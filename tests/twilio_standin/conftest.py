"""Fixtures: a stand-in per test, a real twilio client pointed at it, and a callback receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from tests.twilio_standin import TwilioStandIn

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "standin-auth-token"
SERVICE_SID = "MG" + "fedcba9876543210" * 2


def make_client(base_url: str, *, sid: str = ACCOUNT_SID, token: str = AUTH_TOKEN, timeout: float = 5) -> Client:
    """The real twilio client, pointed at the stand-in the way smsbot's tests and benchmark do it."""
    client = Client(sid, token, http_client=TwilioHttpClient(timeout=timeout))
    client.api.base_url = base_url
    return client


def close_client(client: Client) -> None:
    session = client.http_client.session
    if session is not None:
        session.close()


@pytest.fixture
def standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, callback_delay_ms=10) as running:
        yield running


@pytest.fixture
def client(standin: TwilioStandIn) -> Iterator[Client]:
    assert standin.base_url is not None
    twilio = make_client(standin.base_url)
    yield twilio
    close_client(twilio)


@dataclass
class ReceivedCallback:
    url: str
    signature: str
    form: dict[str, str]


@dataclass
class CallbackReceiver:
    """A tiny HTTP endpoint standing in for smsbot's status-callback webhook."""

    base_url: str
    received: list[ReceivedCallback] = field(default_factory=list)
    delay_s: float = 0.0

    def statuses(self) -> list[str]:
        return [callback.form["MessageStatus"] for callback in self.received]


@pytest.fixture
def receiver() -> Iterator[CallbackReceiver]:
    state = CallbackReceiver(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if state.delay_s:
                threading.Event().wait(state.delay_s)
            state.received.append(
                ReceivedCallback(
                    url=state.base_url + self.path,
                    signature=self.headers.get("X-Twilio-Signature", ""),
                    form=dict(parse_qsl(raw, keep_blank_values=True)),
                )
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet, like the stand-in."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()
