"""Status callbacks: scheduled off the request thread, signed the way Twilio signs them."""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from twilio.request_validator import RequestValidator

from .faults import CallbackSettings, RecipientFault
from .formats import API_VERSION, Message

CALLBACK_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class CallbackJob:
    sid: str
    status: str
    error_code: int | None
    # None still moves the stored status on, which is what Twilio does when no callback URL is set.
    url: str | None


def plan_callbacks(
    message: Message, settings: CallbackSettings, fault: RecipientFault | None
) -> list[tuple[float, CallbackJob]]:
    """The (delay_seconds, job) pairs one created message goes through, shaped by the callback mode."""
    steps: list[tuple[str, int | None]]
    if fault is not None and fault.callback_error_code is not None:
        final: list[tuple[str, int | None]] = [(fault.callback_status, fault.callback_error_code)]
        steps = final if fault.callback_status == "failed" else [("sent", None), *final]
    else:
        steps = [("sent", None), ("delivered", None)]
    if settings.mode == "out_of_order":
        steps.reverse()
    url = None if settings.mode == "none" else message.status_callback
    base = settings.delay_ms / 1000 + (settings.late_delay_ms / 1000 if settings.mode == "late" else 0)
    copies = 2 if settings.mode == "duplicate" else 1
    return [
        (base * (n + 1), CallbackJob(message.sid, status, code, url))
        for n, (status, code) in enumerate(steps)
        for _ in range(copies)
    ]


def callback_params(message: Message, status: str, error_code: int | None) -> dict[str, str]:
    """The form fields of a Twilio message status callback."""
    params = {
        "AccountSid": message.account_sid,
        "ApiVersion": API_VERSION,
        "MessageSid": message.sid,
        "MessageStatus": status,
        "SmsSid": message.sid,
        "SmsStatus": status,
        "To": message.to,
    }
    if message.from_:
        params["From"] = message.from_
    if message.messaging_service_sid:
        params["MessagingServiceSid"] = message.messaging_service_sid
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params


class CallbackDispatcher:
    """One timer thread orders jobs by due time; sender threads POST them.

    Jobs for one message always go to the same sender, so "sent" is posted before "delivered"
    unless a test asked for another order.
    """

    def __init__(
        self,
        auth_token: str,
        advance: Callable[[str, str, int | None], Message | None],
        *,
        sender_threads: int = 8,
    ) -> None:
        self._validator = RequestValidator(auth_token)
        self._advance = advance
        self._heap: list[tuple[float, int, CallbackJob]] = []
        self._seq = itertools.count()
        self._wakeup = threading.Condition()
        self._pending = 0
        self._stopping = False
        self._queues: list[queue.SimpleQueue[CallbackJob | None]] = [
            queue.SimpleQueue() for _ in range(max(sender_threads, 1))
        ]
        self._log: list[dict[str, object]] = []
        self._log_lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run_timer, name="callback-timer", daemon=True)]
        self._threads += [
            threading.Thread(target=self._run_sender, args=(q,), name="callback-sender", daemon=True)
            for q in self._queues
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify_all()
        for q in self._queues:
            q.put(None)
        for thread in self._threads:
            thread.join(timeout=CALLBACK_TIMEOUT_S + 1)

    def schedule(self, plan: list[tuple[float, CallbackJob]]) -> None:
        now = time.monotonic()
        with self._wakeup:
            for delay, job in plan:
                heapq.heappush(self._heap, (now + delay, next(self._seq), job))
            self._pending += len(plan)
            self._wakeup.notify_all()

    def send_now(self, message: Message, url: str, status: str, error_code: int | None) -> dict[str, object]:
        """Post one callback synchronously, for tests that stage late or repeated callbacks themselves."""
        snapshot = self._advance(message.sid, status, error_code) or message
        return self._post(snapshot, url, status, error_code)

    def clear(self) -> None:
        with self._wakeup:
            self._pending -= len(self._heap)
            self._heap.clear()
            self._wakeup.notify_all()
        with self._log_lock:
            self._log.clear()

    def log(self) -> list[dict[str, object]]:
        with self._log_lock:
            return list(self._log)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every scheduled job has run; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._wakeup:
            while self._pending > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wakeup.wait(remaining)
            return True

    def _run_timer(self) -> None:
        with self._wakeup:
            while not self._stopping:
                if not self._heap:
                    self._wakeup.wait()
                    continue
                due, _, job = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._wakeup.wait(wait)
                    continue
                heapq.heappop(self._heap)
                self._queues[hash(job.sid) % len(self._queues)].put(job)

    def _run_sender(self, jobs: queue.SimpleQueue[CallbackJob | None]) -> None:
        with requests.Session() as session:
            while (job := jobs.get()) is not None:
                try:
                    self._deliver(job, session)
                finally:
                    with self._wakeup:
                        self._pending -= 1
                        self._wakeup.notify_all()

    def _deliver(self, job: CallbackJob, session: requests.Session) -> None:
        message = self._advance(job.sid, job.status, job.error_code)
        if message is not None and job.url:
            self._post(message, job.url, job.status, job.error_code, session)

    def _post(
        self,
        message: Message,
        url: str,
        status: str,
        error_code: int | None,
        session: requests.Session | None = None,
    ) -> dict[str, object]:
        params = callback_params(message, status, error_code)
        headers = {"X-Twilio-Signature": self._validator.compute_signature(url, params)}
        entry: dict[str, object] = {"url": url, "params": params, "http_status": None, "error": None}
        try:
            if session is None:
                with requests.Session() as own:
                    response = own.post(url, data=params, headers=headers, timeout=CALLBACK_TIMEOUT_S)
            else:
                response = session.post(url, data=params, headers=headers, timeout=CALLBACK_TIMEOUT_S)
            entry["http_status"] = response.status_code
        except requests.RequestException as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
        with self._log_lock:
            self._log.append(entry)
        return entry
