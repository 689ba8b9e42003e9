"""The worker: fire due timers, claim due outbound rows, send each with no database connection held, record
the outcomes; and, on a thread of its own, deliver the events for the lender's system (smsbot/events/). A
claim is a lease: a row whose worker died comes back when the lease ends and is reconciled with the provider
(was it created?) before it is sent again, so a crash never sends a message twice.

Sends of one batch may overlap (`SMSBOT_SEND_CONCURRENCY` threads): a provider call takes far longer than our
bookkeeping, and pacing is already settled by the slots handed out at claim time."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from datetime import datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.conversation.delivery_failures import settle_undeliverable
from smsbot.conversation.reminders import fire_due_timers
from smsbot.db import transaction
from smsbot.delivery import consent
from smsbot.delivery.claims import Claim, claim_due
from smsbot.delivery.providers.base import Outcome, SendResult, SmsProvider
from smsbot.delivery.send_results import record_results
from smsbot.events.delivery import run_event_delivery
from smsbot.models import utcnow
from smsbot.privacy import mask_phone

log = logging.getLogger(__name__)
RECHECK_AFTER_SECONDS = 0.5  # a paced send waits; look at consent again if the claim is older than this
RECORD_EVERY = 20  # outcomes recorded per transaction when sending flat out


def drain_once(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    *,
    settings: Settings,
    limit: int = 50,
    now: datetime | None = None,
    pool: Executor | None = None,
) -> int:
    """Fire due timers and send what is due now; returns how many rows were claimed."""
    fire_due_timers(factory, settings=settings, now=now)
    claimed_at = now or utcnow()
    with transaction(factory) as session:
        claims = claim_due(session, settings=settings, sender=sender_of(provider), limit=limit, now=claimed_at)
    done: list[tuple[Claim, SendResult]] = []
    for outcome in _send_all(factory, provider, claims, claimed_at=claimed_at, now=now, pool=pool):
        done.append(outcome)
        if len(done) >= RECORD_EVERY:
            _record(factory, done, settings=settings, now=now)
            done = []
    _record(factory, done, settings=settings, now=now)
    return len(claims)


def _send_all(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    claims: list[Claim],
    *,
    claimed_at: datetime,
    now: datetime | None,
    pool: Executor | None,
) -> Iterator[tuple[Claim, SendResult]]:
    def send_one(claim: Claim) -> tuple[Claim, SendResult]:
        _wait_for_slot(claim, now)
        stale = (utcnow() - claimed_at).total_seconds() > RECHECK_AFTER_SECONDS
        return claim, _send(factory, provider, claim, stale=stale)

    if pool is None:
        yield from map(send_one, claims)
        return
    for future in as_completed([pool.submit(send_one, claim) for claim in claims]):
        yield future.result()


def _record(
    factory: sessionmaker[Session],
    outcomes: list[tuple[Claim, SendResult]],
    *,
    settings: Settings,
    now: datetime | None,
) -> None:
    """Record several outcomes in one transaction: one commit per group instead of one per message. A crash
    before it commits leaves those rows leased, and they are reconciled with the provider, never resent blind."""
    if not outcomes:
        return
    with transaction(factory) as session:
        pairs = [(claim.sms.message_id, result) for claim, result in outcomes]
        failures = record_results(session, pairs, settings=settings, now=now or utcnow())
        settle_undeliverable(session, failures, settings=settings)
    for claim, result in outcomes:
        log.info(
            "send %s to %s: %s %s",
            claim.sms.message_id,
            mask_phone(claim.sms.phone),
            result.outcome.value,
            result.error_code or "",
        )


def sender_of(provider: SmsProvider) -> str:
    return getattr(provider, "sender", "") or provider.name


def _wait_for_slot(claim: Claim, now: datetime | None) -> None:
    if now is None:  # a test clock never sleeps
        delay = (claim.not_before - utcnow()).total_seconds()
        if delay > 0:
            time.sleep(delay)


def _send(factory: sessionmaker[Session], provider: SmsProvider, claim: Claim, *, stale: bool) -> SendResult:
    if stale and not claim.consent_exempt and _opted_out_since_claim(factory, claim):
        return SendResult(Outcome.WITHHELD, error_code="opted_out", detail="opted out after claim")
    if claim.reconcile:
        found = provider.find_sent(claim.sms)
        if found is not None:
            return found
    return provider.send(claim.sms)


def _opted_out_since_claim(factory: sessionmaker[Session], claim: Claim) -> bool:
    with factory() as session:
        return consent.is_opted_out(session, claim.sms.phone)


def run_worker(
    factory: sessionmaker[Session], provider: SmsProvider, *, settings: Settings, stop: threading.Event | None = None
) -> None:
    """Poll until `stop` is set, sleeping only when there was nothing to do. With events configured, a thread
    of its own delivers them (smsbot/events/), so a slow lender's endpoint never holds up a text."""
    pool = ThreadPoolExecutor(settings.send_concurrency, "send") if settings.send_concurrency > 1 else None
    events = _start_event_delivery(factory, settings=settings, stop=stop)
    try:
        while not (stop is not None and stop.is_set()):
            try:
                busy = drain_once(factory, provider, settings=settings, pool=pool)
            except Exception:  # a bad row or a lost database must not kill the worker
                log.exception("worker iteration failed")
                busy = 0
            if not busy:
                time.sleep(settings.worker_poll_seconds)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if events is not None and stop is not None:
            events.join()


def _start_event_delivery(
    factory: sessionmaker[Session], *, settings: Settings, stop: threading.Event | None
) -> threading.Thread | None:
    if not settings.events_enabled:
        return None
    thread = threading.Thread(
        target=run_event_delivery, args=(factory,), kwargs={"settings": settings, "stop": stop}, name="events"
    )
    thread.daemon = stop is None  # nothing would ever stop it: it ends with the process
    thread.start()
    return thread
