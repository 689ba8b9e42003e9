"""A local stand-in for Twilio's Messages API that the real twilio client can talk to over HTTP."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from .api import MessagesApi
from .callbacks import CallbackDispatcher
from .control import handle_control
from .faults import FaultPlan
from .formats import MESSAGES_PREFIX, error_body
from .store import MessageStore

MESSAGES_PATH = re.compile(rf"^{MESSAGES_PREFIX}/([^/]+)/Messages\.json$")
MESSAGE_PATH = re.compile(rf"^{MESSAGES_PREFIX}/([^/]+)/Messages/([^/]+)\.json$")
Reply = tuple[int, dict[str, object]]


class _Server(ThreadingHTTPServer):
    """Keeps track of open keep-alive connections so `stop()` can close them instead of leaking them."""

    daemon_threads = True
    request_queue_size = 256
    standin: TwilioStandIn

    def __init__(self, address: tuple[str, int]) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request_thread(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        assert isinstance(request, socket.socket)  # a TCP server only ever gets stream sockets
        with self.connections_lock:
            self.connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.connections_lock:
                self.connections.discard(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 with exact Content-Length lets requests.Session reuse one connection per client.
    protocol_version = "HTTP/1.1"
    # Without this, headers and body leave as two small writes and delayed ACKs add ~40 ms each.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: a log line per request would dominate the benchmark."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        headers: dict[str, str] = {}
        try:
            url = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if url.path.startswith("/_control/"):
                status, payload = handle_control(self.server.standin, method, url.path, raw)
            elif not self._authorized():
                status, payload = error_body(20003)
                headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            else:
                status, payload = self._route(method, url.path, url.query, raw)
        except Exception:  # a broken request must still get an answer, or the client waits forever
            status, payload = error_body(20500)
        self._reply(status, payload, headers)

    def _authorized(self) -> bool:
        value = self.headers.get("Authorization", "")
        if not value.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        standin = self.server.standin
        return user == standin.account_sid and password == standin.auth_token

    def _route(self, method: str, path: str, query: str, raw: bytes) -> Reply:
        api = self.server.standin.api
        collection, single = MESSAGES_PATH.match(path), MESSAGE_PATH.match(path)
        matched = collection or single
        if matched is None or matched.group(1) != api.account_sid:
            return error_body(20404, path=path)
        if collection and method == "POST":
            return api.create(dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True)))
        if collection and method == "GET":
            return api.read(dict(parse_qsl(query, keep_blank_values=True)))
        if single and method == "GET":
            return api.fetch(single.group(2), path)
        return error_body(20004)

    def _reply(self, status: int, payload: dict[str, object], headers: dict[str, str]) -> None:
        body = json.dumps(payload).encode()
        lines = [
            f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}",
            "Content-Type: application/json; charset=utf-8",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        try:
            # One write per response: headers and body in the same segment.
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        except OSError:
            # The client gave up (a read timeout test) or stop() cut the connection.
            self.close_connection = True


class TwilioStandIn:
    """Serves Twilio's Messages API for one account on a local port.

    Faults and inspection are available as methods here and as JSON under `/_control/`
    (see `control.py`), so a test can drive a stand-in running in another process.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        callback_delay_ms: int = 50,
        callback_threads: int = 8,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host, self.port = host, port
        self.base_url: str | None = None
        self.store = MessageStore()
        self.faults = FaultPlan(default_callback_delay_ms=callback_delay_ms)
        self._stopping = threading.Event()
        self.dispatcher = CallbackDispatcher(auth_token, self.store.advance, sender_threads=callback_threads)
        self.api = MessagesApi(
            account_sid=account_sid,
            store=self.store,
            faults=self.faults,
            dispatcher=self.dispatcher,
            stopping=self._stopping,
        )
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TwilioStandIn:
        """Bind, serve from a background thread, and set `base_url`."""
        self._server = _Server((self.host, self.port))
        self._server.standin = self
        self.port = self._server.server_port
        self.base_url = f"http://{self.host}:{self.port}"
        self.dispatcher.start()
        # A short poll interval keeps stop() fast; it costs nothing while requests flow.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="twilio-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and slow requests short, and stop the callback threads."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self.dispatcher.stop()

    def __enter__(self) -> TwilioStandIn:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # Faults. Each method is a shorthand for one `add_fault` spec, the JSON of POST /_control/faults.

    def add_fault(self, spec: dict[str, object]) -> None:
        """Add faults from one spec; raises `FaultError` for a spec it cannot honour.

        {"to": "+1555...", "error_code": 21610}               create for that To fails synchronously
        {"to": "+1555...", "callback_error_code": 30003,
         "callback_status": "undelivered" | "failed"}         created, then the callback reports the error
        {"next": 2, "http_status": 500, "created": false}     the next 2 creates fail; `created` stores anyway
        {"next": 1, "http_status": 429, "error_code": 20429}
        {"next": 1, "delay_ms": 3000, "created": true}        slow answer, to provoke client read timeouts
        {"callback_mode": "normal" | "none" | "duplicate" | "out_of_order" | "late"}
        {"callback_delay_ms": 200, "late_delay_ms": 1000}
        """
        self.faults.apply(spec)

    def fail_to(self, to: str, error_code: int) -> None:
        self.add_fault({"to": to, "error_code": error_code})

    def fail_callbacks_to(self, to: str, callback_error_code: int, status: str = "undelivered") -> None:
        self.add_fault({"to": to, "callback_error_code": callback_error_code, "callback_status": status})

    def fail_next(
        self, count: int, http_status: int = 500, error_code: int | None = None, *, created: bool = False
    ) -> None:
        self.add_fault({"next": count, "http_status": http_status, "error_code": error_code, "created": created})

    def delay_next(self, count: int, delay_ms: int, *, created: bool = False) -> None:
        self.add_fault({"next": count, "delay_ms": delay_ms, "created": created})

    def set_callback_mode(self, mode: str) -> None:
        self.add_fault({"callback_mode": mode})

    def set_callback_delay_ms(self, delay_ms: int) -> None:
        self.add_fault({"callback_delay_ms": delay_ms})

    def clear_faults(self) -> None:
        self.faults.clear()

    def faults_json(self) -> dict[str, object]:
        return self.faults.to_json()

    # Inspection and staging.

    def messages(self) -> list[dict[str, object]]:
        """Every stored message as Twilio's JSON, oldest first."""
        return self.store.all_json()

    def requests(self) -> list[dict[str, object]]:
        """Every create request: its form, http_status, sid (None if rejected) and error_code."""
        return self.store.attempts()

    def stats(self) -> dict[str, object]:
        return self.store.stats()

    def callbacks(self) -> list[dict[str, object]]:
        """Callbacks posted so far: url, params, http_status of the receiver, error."""
        return self.dispatcher.log()

    def wait_for_callbacks(self, timeout: float = 5.0) -> bool:
        """Block until every scheduled callback has been posted; False on timeout."""
        return self.dispatcher.wait_idle(timeout)

    def send_callback(
        self, sid: str, status: str, *, error_code: int | None = None, url: str | None = None
    ) -> dict[str, object]:
        """Post one status callback now to the message's StatusCallback (or `url`); raises LookupError."""
        message = self.store.snapshot(sid)
        if message is None:
            raise LookupError(f"no message {sid}")
        target = url or message.status_callback
        if not target:
            raise LookupError(f"message {sid} has no StatusCallback; pass a url")
        return self.dispatcher.send_now(message, target, status, error_code)

    def reset(self) -> None:
        """Forget messages, requests, callbacks and faults."""
        self.dispatcher.clear()
        self.store.reset()
        self.faults.clear()
