"""The worker: fire due timers, claim due outbound rows, send each with no database connection held, record
the outcomes; and, on a thread of its own, deliver the events for the lender's system (smsbot/events/). A
claim is a lease: a row whose worker died comes back when the lease ends and is reconciled with the provider
(was it created?) before it is sent again, so a crash never sends a message twice. A live worker never outlives
its leases (`delivery.leases`): it claims what it can send within one at its measured pace, renews those still
waiting, and checks the lease right before each send.

Sends of one batch may overlap (`SMSBOT_SEND_CONCURRENCY` threads): a provider call takes far longer than our
bookkeeping, and each paced send takes its own slot right before it goes (`delivery.pacing`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, ThreadPoolExecutor, wait
from datetime import datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.conversation.delivery_failures import settle_undeliverable
from smsbot.conversation.reminders import fire_due_timers
from smsbot.db import transaction
from smsbot.delivery import consent
from smsbot.delivery.claims import Claim, claim_due
from smsbot.delivery.leases import LeaseKeeper, Pace
from smsbot.delivery.pacing import wait_for_slot
from smsbot.delivery.providers.base import Outcome, SendResult, SmsProvider
from smsbot.delivery.send_results import record_results
from smsbot.events.delivery import run_event_delivery
from smsbot.models import Application, utcnow
from smsbot.privacy import mask_phone
from smsbot.reports.rollup import ROLLUP_EVERY_SECONDS, catch_up
from states.waiting_texts import OUTDATED, still_wanted

log = logging.getLogger(__name__)
RECHECK_AFTER_SECONDS = 0.5  # a paced send waits; look at consent again if the claim is older than this
RECORD_EVERY = 20  # outcomes recorded per transaction when sending flat out
UNPACED = (Outcome.WITHHELD, Outcome.HALTED)  # outcomes that mostly never reach the provider


def drain_once(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    *,
    settings: Settings,
    limit: int = 50,
    now: datetime | None = None,
    pool: Executor | None = None,
    pace: Pace | None = None,
) -> int:
    """Fire due timers and send what is due now; returns how many rows were claimed. With a `pace`, claim only
    what can be sent within the lease at the pace measured so far."""
    fire_due_timers(factory, settings=settings, now=now)
    claimed_at = now or utcnow()
    wanted = pace.capacity(limit) if pace else limit
    with transaction(factory) as session:
        claims = claim_due(session, settings=settings, limit=wanted, now=claimed_at)
    keeper = LeaseKeeper(factory, claims, settings=settings, claimed_at=claimed_at)
    done: list[tuple[Claim, SendResult]] = []
    sending = Sending(factory, provider, settings=settings, claimed_at=claimed_at, now=now, pace=pace, keeper=keeper)
    for claim, result in _send_all(sending, claims, keeper=keeper, pool=pool):
        if result is None:  # lost to another worker: nothing of ours to record or renew
            keeper.forget([claim])
            continue
        done.append((claim, result))
        if len(done) >= RECORD_EVERY:
            _record(factory, done, settings=settings, now=now)
            keeper.forget(claim for claim, _ in done)
            done = []
    _record(factory, done, settings=settings, now=now)
    return len(claims)


class Sending:
    """What one send needs besides its claim; `send` runs on the pool's threads."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        provider: SmsProvider,
        *,
        settings: Settings,
        claimed_at: datetime,
        now: datetime | None,
        pace: Pace | None,
        keeper: LeaseKeeper,
    ) -> None:
        self.factory, self.provider, self.settings = factory, provider, settings
        self.claimed_at, self.now, self.pace, self.keeper = claimed_at, now, pace, keeper

    def send(self, claim: Claim) -> tuple[Claim, SendResult | None]:
        """The claim's outcome, or None when its lease was lost before the send (another worker holds it)."""
        wait_for_slot(self.factory, sender_of(self.provider), settings=self.settings, now=self.now)
        stale = (utcnow() - self.claimed_at).total_seconds() > RECHECK_AFTER_SECONDS
        started = time.monotonic()
        result = self._send(claim, stale=stale)
        if self.pace is not None and result is not None and result.outcome not in UNPACED:
            self.pace.observe(time.monotonic() - started)  # only sends that called the provider set the pace
        return claim, result

    def _send(self, claim: Claim, *, stale: bool) -> SendResult | None:
        reason = _withhold_reason(self.factory, claim) if stale else None
        if reason is not None:
            return SendResult(Outcome.WITHHELD, error_code=reason, detail=f"{reason} after claim")
        if claim.reconcile:
            found = self.provider.find_sent(claim.sms)
            if found is not None:
                return found
        # Right before the provider call: a lease that ran out may already be another worker's send.
        if not self.keeper.hold(claim, self.now or utcnow()):
            log.warning("message %s: lease lost before sending; left to its new holder", claim.sms.message_id)
            return None
        return self.provider.send(claim.sms)


def _send_all(
    sending: Sending, claims: list[Claim], *, keeper: LeaseKeeper, pool: Executor | None
) -> Iterator[tuple[Claim, SendResult | None]]:
    """Each claim's outcome as it comes, renewing the leases of the rows still waiting meanwhile."""
    if pool is None:
        for claim in claims:
            keeper.renew_if_due(sending.now or utcnow())
            yield sending.send(claim)
        return
    pending = {pool.submit(sending.send, claim) for claim in claims}
    while pending:
        finished, pending = wait(pending, timeout=keeper.every, return_when=FIRST_COMPLETED)
        for future in finished:
            yield future.result()
        keeper.renew_if_due(sending.now or utcnow())


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
        pairs = [(claim.sms.message_id, claim.attempt, result) for claim, result in outcomes]
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


def _withhold_reason(factory: sessionmaker[Session], claim: Claim) -> str | None:
    """Why a claim that waited must not go now: the phone opted out, or its conversation no longer wants it."""
    with factory() as session:
        if not claim.consent_exempt and consent.is_opted_out(session, claim.sms.phone):
            return "opted_out"
        if claim.watched and claim.application_id is not None:
            app = session.get(Application, claim.application_id)
            if app is not None and not still_wanted(claim.kind, claim.sms.template, app.state):
                return OUTDATED
    return None


def run_worker(
    factory: sessionmaker[Session], provider: SmsProvider, *, settings: Settings, stop: threading.Event | None = None
) -> None:
    """Poll until `stop` is set, sleeping only when there was nothing to do. With events configured, a thread
    of its own delivers them (smsbot/events/), so a slow lender's endpoint never holds up a text."""
    pool = ThreadPoolExecutor(settings.send_concurrency, "send") if settings.send_concurrency > 1 else None
    pace = Pace(settings, parallel=settings.send_concurrency if pool else 1)
    provider.warm_up()
    events = _start_event_delivery(factory, settings=settings, stop=stop)
    next_rollup = time.monotonic()
    try:
        while not (stop is not None and stop.is_set()):
            try:
                busy = drain_once(factory, provider, settings=settings, pool=pool, pace=pace)
                if time.monotonic() >= next_rollup:  # the reports' aggregates, off the webhook's path
                    catch_up(factory, timezone=settings.default_timezone)
                    next_rollup = time.monotonic() + ROLLUP_EVERY_SECONDS
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
