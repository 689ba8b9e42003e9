"""The event sender reads the environment's proxy settings once, at start, and still honours them: a lender
reached through an outbound HTTP proxy gets its events through that proxy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from smsbot.config import Settings
from smsbot.events.claims import EventClaim
from smsbot.events.sender import EventSender
from tests.conftest import EVENTS_SECRET

LENDER = "http://lender.invalid/hooks/smsbot"  # resolvable only through the proxy


class _Proxy(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        _Proxy.seen.append(self.path)  # a proxy is asked for the absolute URL
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    _Proxy.seen.clear()  # a class's list outlives one test
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_events_go_through_the_proxy_the_environment_names(
    proxy: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    sender = EventSender(settings.model_copy(update={"events_url": LENDER, "events_secret": EVENTS_SECRET}))
    claim = EventClaim(1, "evt_" + "0" * 27, '{"type": "application.confirmed"}', 1, datetime.now(UTC))
    assert sender.post(claim) is None
    assert _Proxy.seen == [LENDER]
