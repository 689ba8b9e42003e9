"""A lender's endpoint for events, over real HTTP on a local port, with faults on demand: answer 500 to the next
requests, hold one past the sender's timeout, be down (connections refused) and come back on the same port."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Receipt:
    body: str
    headers: dict[str, str]
    answered: int  # the status it was answered with (a held request is answered, late)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)  # type: ignore[no-any-return]


@dataclass
class Faults:
    fail_next: int = 0  # answer 500
    hold_next: int = 0  # answer after `hold_seconds`
    hold_seconds: float = 0.0
    delay_seconds: float = 0.0  # every request
    down_at: int | None = None  # the request with this number (from 1) is answered 503 and the receiver goes down


class Receiver:
    def __init__(self) -> None:
        self.receipts: list[Receipt] = []
        self.faults = Faults()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.connections: set[socket.socket] = set()
        self.down = False  # set at once when going down, before the server has stopped accepting
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/lender/events"

    def start(self) -> Receiver:
        self.down = False
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections until `start` again, and the open keep-alive ones are cut."""
        self.down = True
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            connections, self.connections = self.connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def accepted(self) -> list[Receipt]:
        with self._lock:
            return [receipt for receipt in self.receipts if receipt.answered == 200]

    def answer(self, body: str, headers: dict[str, str]) -> int:
        with self._lock:
            faults = self.faults
            status, hold = 200, faults.delay_seconds
            down = faults.down_at == len(self.receipts) + 1
            if down:
                status, self.down = 503, True
                threading.Thread(target=self.stop, daemon=True).start()
            elif faults.fail_next:
                faults.fail_next, status = faults.fail_next - 1, 500
            elif faults.hold_next:
                faults.hold_next, hold = faults.hold_next - 1, faults.hold_seconds
            self.receipts.append(Receipt(body, headers, status))
        time.sleep(hold)
        return status


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with receiver._lock:
                receiver.connections.add(self.connection)

        def do_POST(self) -> None:
            if receiver.down:  # cut without an answer, as a dead host's connection ends
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
            status = receiver.answer(body, {key.lower(): value for key, value in self.headers.items()})
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender gave up waiting (a held request)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
