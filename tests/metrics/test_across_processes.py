"""/metrics adds up across processes (PRODUCT.md, "Reports and copy"): two gunicorn workers and two `smsbot worker`
processes sharing PROMETHEUS_MULTIPROC_DIR, driven over real HTTP with a known number of webhooks and sends."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path

import pytest
import requests
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, func, select
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.models import Message
from tests.conftest import API_TOKEN, AUTH_TOKEN, PUBLIC_URL
from tests.delivery.conftest import ACCOUNT_SID, FROM_NUMBER, start_worker
from tests.delivery.helpers import wait_until
from tests.delivery.test_worker_processes import stop
from tests.factories import AUTH, application_payload, signature, twilio_form
from tests.gunicorn_server import Gunicorn, gunicorn
from tests.twilio_standin import TwilioStandIn

CONFIRMERS = 12  # each files, gets a notice, replies "1" once and gets the receipt
DUPLICATES = 3  # webhooks Twilio retried with a MessageSid already stored
RETRIES = 2  # 429s from Twilio: surely not created, sent again after backoff
INBOUND_PATH = "/webhooks/twilio/sms"
# A gunicorn worker stopped within a second or two of its start held the shutdown up for the whole graceful
# timeout (30 s) here; a replacement is given this long before the test ends.
BOOT_SECONDS = 3

Key = tuple[str, tuple[tuple[str, str], ...]]  # a sample's name and sorted labels
Samples = dict[Key, float]


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(server: Gunicorn) -> Samples:
    response = requests.get(f"{server.base_url}/metrics", timeout=10)
    assert response.status_code == 200, f"{response.text[:500]}\n{server.log_tail()}"
    return parse(response.text)


def is_counted(name: str) -> bool:
    return name.endswith(("_total", "_count", "_sum", "_bucket"))


class Scraper:
    """Scrapes /metrics over and over while the traffic runs, keeping every scrape."""

    def __init__(self, server: Gunicorn) -> None:
        self.server, self.scrapes, self._stop = server, list[Samples](), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.scrapes.append(scrape(self.server))
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                # this scrape was served by the worker the test kills, refused or cut off mid-body: no figures
                continue

    def __enter__(self) -> Scraper:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture
def multiproc_dir(tmp_path: Path) -> Path:
    path = tmp_path / "prometheus"
    path.mkdir()
    return path


@pytest.fixture
def standin() -> Iterator[TwilioStandIn]:
    with TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN, callback_delay_ms=5) as running:
        running.set_callback_mode("none")  # statuses stay `accepted`, so the gauges are known too
        yield running


def web_env(settings: Settings, multiproc_dir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": settings.database_url,
        "SMSBOT_API_TOKEN": API_TOKEN,
        "SMSBOT_SMS_BACKEND": "simulator",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "SMSBOT_PUBLIC_URL": PUBLIC_URL,
        "SMSBOT_NOTICE_HOURS": settings.notice_hours,
        "SMSBOT_REMINDER_HOURS": settings.reminder_hours,
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
    }


def worker_settings(settings: Settings, standin: TwilioStandIn) -> Settings:
    return settings.model_copy(
        update={
            "sms_backend": "twilio",
            "twilio_account_sid": ACCOUNT_SID,
            "twilio_auth_token": AUTH_TOKEN,
            "twilio_from_number": FROM_NUMBER,
            "twilio_api_base_url": standin.base_url,
        }
    )


def file_application(server: Gunicorn) -> str:
    response = requests.post(f"{server.base_url}/api/v1/applications", json=application_payload(), headers=AUTH)
    assert response.status_code == 201, response.text
    phone: str = response.json()["applicant"]["phone"]
    return phone


def post_inbound(server: Gunicorn, form: dict[str, str]) -> None:
    headers = {"X-Twilio-Signature": signature(INBOUND_PATH, form)}
    response = requests.post(f"{server.base_url}{INBOUND_PATH}", data=form, headers=headers, timeout=30)
    assert response.status_code == 200, response.text


def drive_webhooks(server: Gunicorn, phones: list[str]) -> None:
    """One confirmation per phone, DUPLICATES of them sent twice, one from a sender that is not a phone; four
    at a time, on fresh connections, so both gunicorn workers take a share."""
    forms = [twilio_form(phone, "1") for phone in phones]
    forms = [*forms, *forms[:DUPLICATES], twilio_form("whatsapp:+8613800000000", "hi")]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda form: post_inbound(server, form), forms))


def expected_totals() -> Samples:
    sends = 2 * CONFIRMERS  # a notice and a receipt each
    return {
        ("smsbot_inbound_messages_total", (("result", "stored"),)): CONFIRMERS,
        ("smsbot_inbound_messages_total", (("result", "duplicate"),)): DUPLICATES,
        ("smsbot_inbound_messages_total", (("result", "not_a_phone"),)): 1,
        ("smsbot_transitions_total", (("to_state", "confirmed"),)): CONFIRMERS,
        ("smsbot_webhook_seconds_count", (("endpoint", "sms"),)): CONFIRMERS + DUPLICATES,
        ("smsbot_send_attempts_total", (("outcome", "sent"),)): sends,
        ("smsbot_send_attempts_total", (("outcome", "retry"),)): RETRIES,
        ("smsbot_send_attempts_total", (("outcome", "permanent"),)): 1,
        ("smsbot_send_attempts_total", (("outcome", "unknown"),)): 0,
        ("smsbot_send_seconds_count", ()): sends + RETRIES + 1,
        ("smsbot_applications", (("state", "confirmed"),)): CONFIRMERS,
        ("smsbot_applications", (("state", "handed_off"),)): 1,
        ("smsbot_outbound_messages", (("status", "accepted"),)): sends,
        ("smsbot_outbound_messages", (("status", "queued"),)): 0,
    }


def figures(samples: Samples) -> Samples:
    return {key: samples.get(key, 0.0) for key in expected_totals()}


def wait_for_totals(server: Gunicorn, wanted: Samples) -> None:
    """Until the sends are done; then, if they never added up, the figures that did not."""
    last: list[Samples] = []

    def reached() -> bool:
        last.append(figures(scrape(server)))
        return last[-1] == wanted

    try:
        wait_until(reached, timeout=60)
    except AssertionError:
        assert {k: v for k, v in last[-1].items() if v != wanted[k]} == {}, "these never reached their totals"


def assert_never_backwards(scrapes: list[Samples]) -> None:
    for earlier, later in pairwise(scrapes):
        fallen = {key: (v, later.get(key, 0.0)) for key, v in earlier.items() if is_counted(key[0])}
        assert {key: pair for key, pair in fallen.items() if pair[1] < pair[0]} == {}


def webhooks_by_process(multiproc_dir: Path, pids: list[int]) -> dict[int, float]:
    """How many inbound webhooks each gunicorn worker counted, read from its own file."""
    counts = {}
    for pid in pids:
        files = [str(path) for path in multiproc_dir.glob(f"*_{pid}.db")]
        merged = MultiProcessCollector.merge(files, accumulate=True)
        counts[pid] = sum(s.value for m in merged for s in m.samples if s.name == "smsbot_inbound_messages_total")
    return counts


def outbound_statuses(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            query = select(Message.status, func.count()).where(Message.direction == "out").group_by(Message.status)
            return {status: count for status, count in session.execute(query).all()}
    finally:
        engine.dispose()


def test_counters_add_up_across_two_gunicorn_workers_and_two_worker_processes(
    settings: Settings, standin: TwilioStandIn, multiproc_dir: Path
) -> None:
    sender = worker_settings(settings, standin)
    with gunicorn(web_env(settings, multiproc_dir), workers=2) as server, Scraper(server) as scraper:
        phones = [file_application(server) for _ in range(CONFIRMERS)]
        unreachable = file_application(server)
        standin.fail_to(unreachable, 21211)
        standin.fail_next(RETRIES, http_status=429, error_code=20429)
        workers: list[subprocess.Popen[bytes]] = []
        try:
            workers = [start_worker(sender, PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir)) for _ in range(2)]
            # the notices go first: a confirmation that arrived before its notice was sent would withdraw it
            wait_until(lambda: standin.stats()["created_messages"] >= CONFIRMERS, timeout=60)
            drive_webhooks(server, phones)
            wanted = expected_totals()
            wait_for_totals(server, wanted)
            settled = [scrape(server) for _ in range(10)]
        finally:
            for worker in workers:
                stop(worker)
        by_worker = webhooks_by_process(multiproc_dir, server.worker_pids())
    assert [figures(samples) for samples in settled] == [wanted] * 10
    assert_never_backwards([*scraper.scrapes, *settled])
    assert len(scraper.scrapes) > 10
    assert len(by_worker) == 2 and all(by_worker.values()), by_worker  # both web workers counted some
    assert sum(by_worker.values()) == CONFIRMERS + DUPLICATES + 1
    assert standin.stats()["created_messages"] == 2 * CONFIRMERS
    assert outbound_statuses(settings.database_url) == {"accepted": 2 * CONFIRMERS, "failed": 1}


def replacement_ready(server: Gunicorn, multiproc_dir: Path, victim: int) -> bool:
    """The new worker has built its app: its metric files exist."""
    pids = server.worker_pids()
    new = [pid for pid in pids if pid != victim]
    return len(new) == 2 and all(list(multiproc_dir.glob(f"*_{pid}.db")) for pid in new)


def test_a_killed_web_workers_counts_stay_in_the_totals(settings: Settings, multiproc_dir: Path) -> None:
    """gunicorn replaces a worker killed outright; what the dead one counted is still summed, so no counter
    falls, and the replacement counts on top of it."""
    with gunicorn(web_env(settings, multiproc_dir), workers=2) as server, Scraper(server) as scraper:
        phones = [file_application(server) for _ in range(CONFIRMERS)]
        drive_webhooks(server, phones[:6])
        victim = max(webhooks_by_process(multiproc_dir, server.worker_pids()).items(), key=lambda item: item[1])[0]
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: replacement_ready(server, multiproc_dir, victim), timeout=60)
        time.sleep(BOOT_SECONDS)
        drive_webhooks(server, phones[6:])
        settled = [scrape(server) for _ in range(10)]
    stored = ("smsbot_inbound_messages_total", (("result", "stored"),))
    duplicates = ("smsbot_inbound_messages_total", (("result", "duplicate"),))
    assert [(s[stored], s[duplicates]) for s in settled] == [(CONFIRMERS, 2 * DUPLICATES)] * 10
    assert_never_backwards([*scraper.scrapes, *settled])
