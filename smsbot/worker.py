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
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.conversation.delivery_failures import settle_undeliverable
from smsbot.conversation.reminders import fire_due_timers
from smsbot.db import transaction
from smsbot.delivery.claims import Claim, claim_due
from smsbot.delivery.leases import LeaseKeeper, Pace
from smsbot.delivery.pacing import wait_for_slot
from smsbot.delivery.providers.base import Outcome, SendResult, SmsProvider
from smsbot.delivery.send_results import record_results
from smsbot.delivery.withholding import Withholding
from smsbot.events.delivery import run_event_delivery
from smsbot.models import utcnow
from smsbot.privacy import mask_phone
from smsbot.reports.rollup import ROLLUP_EVERY_SECONDS, catch_up

log = logging.getLogger(__name__)
CLAIM_LIMIT = 200  # rows one claim takes at most (fewer when paced, or when the pace is slow)
RECORD_EVERY = 50  # outcomes recorded per transaction when sending flat out
UNPACED = (Outcome.WITHHELD, Outcome.HALTED)  # outcomes that mostly never reach the provider


def drain_once(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    *,
    settings: Settings,
    limit: int = CLAIM_LIMIT,
    now: datetime | None = None,
    pool: Executor | None = None,
    pace: Pace | None = None,
) -> int:
    """Fire due timers, send what is due now and record it; returns how many rows were claimed. With a `pace`,
    claim only what can be sent within the lease at the pace measured so far."""
    batch = start_batch(factory, provider, settings=settings, limit=limit, now=now, pool=pool, pace=pace)
    finish_batch(factory, batch, settings=settings, now=now)
    return len(batch.claims)


def start_batch(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    *,
    settings: Settings,
    limit: int = CLAIM_LIMIT,
    now: datetime | None = None,
    pool: Executor | None = None,
    pace: Pace | None = None,
) -> Batch:
    """Fire due timers, claim what is due now, and hand the sends to the pool (queued behind any batch
    already there); `finish_batch` collects and records them."""
    fire_due_timers(factory, settings=settings, now=now)
    claimed_at = now or utcnow()
    wanted = pace.capacity(limit) if pace else limit
    with transaction(factory) as session:
        claims = claim_due(session, settings=settings, limit=wanted, now=claimed_at)
    keeper = LeaseKeeper(factory, claims, settings=settings, claimed_at=claimed_at)
    withholding = Withholding(factory, claims, claimed_at=claimed_at)
    sending = Sending(factory, provider, settings=settings, now=now, pace=pace, keeper=keeper, withholding=withholding)
    return Batch(claims, keeper, sending, pool)


def finish_batch(
    factory: sessionmaker[Session],
    batch: Batch,
    *,
    settings: Settings,
    now: datetime | None,
    waiting: Batch | None = None,
) -> None:
    """Record the batch's outcomes as they come, a group per transaction, renewing meanwhile the leases of its
    rows still waiting and of those of the batch `waiting` behind it."""
    for group in batch.groups(waiting=waiting):
        lost = [claim for claim, result in group if result is None]  # to another worker: nothing of ours
        done = [(claim, result) for claim, result in group if result is not None]
        _record(factory, done, settings=settings, now=now)
        batch.keeper.forget([*lost, *(claim for claim, _ in done)])


class Sending:
    """What one send needs besides its claim; `send` runs on the pool's threads."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        provider: SmsProvider,
        *,
        settings: Settings,
        now: datetime | None,
        pace: Pace | None,
        keeper: LeaseKeeper,
        withholding: Withholding,
    ) -> None:
        self.factory, self.provider, self.settings, self.now = factory, provider, settings, now
        self.pace, self.keeper, self.withholding = pace, keeper, withholding

    def send(self, claim: Claim) -> tuple[Claim, SendResult | None]:
        """The claim's outcome, or None when its lease was lost before the send (another worker holds it)."""
        wait_for_slot(self.factory, sender_of(self.provider), settings=self.settings, now=self.now)
        started = time.monotonic()
        result = self._send(claim)
        if self.pace is not None and result is not None and result.outcome not in UNPACED:
            self.pace.observe(time.monotonic() - started)  # only sends that called the provider set the pace
        return claim, result

    def _send(self, claim: Claim) -> SendResult | None:
        reason = self.withholding.reason(claim, utcnow())
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


class Batch:
    """One claim's sends: handed to the pool when the batch is made (with no pool, sent one by one as their
    outcomes are asked for)."""

    def __init__(self, claims: list[Claim], keeper: LeaseKeeper, sending: Sending, pool: Executor | None) -> None:
        self.claims, self.keeper, self._sending, self._pool = claims, keeper, sending, pool
        self._finished = _Finished(len(claims))
        if pool is not None:
            for claim in claims:
                pool.submit(sending.send, claim).add_done_callback(self._finished.put)

    def groups(self, *, waiting: Batch | None = None) -> Iterator[list[tuple[Claim, SendResult | None]]]:
        """The claims' outcomes in groups of about `RECORD_EVERY` as they come, renewing meanwhile the leases
        of the rows still waiting (this batch's, and those of the batch `waiting` behind it)."""
        keepers = [self.keeper] + ([waiting.keeper] if waiting is not None else [])
        if self._pool is None:
            for start in range(0, len(self.claims), RECORD_EVERY):
                group = []
                for claim in self.claims[start : start + RECORD_EVERY]:
                    _renew(keepers, self._sending.now)
                    group.append(self._sending.send(claim))
                yield group
            return
        taken = 0
        while taken < len(self.claims):
            futures = self._finished.take(timeout=self.keeper.every)
            taken += len(futures)
            _renew(keepers, self._sending.now)
            if futures:
                yield [future.result() for future in futures]


class _Finished:
    """The futures of a batch's sends as they finish. The collector is woken once a group is ready, not once
    per send: each wake-up takes the GIL from the send threads."""

    def __init__(self, expected: int) -> None:
        self._ready: list[Future[tuple[Claim, SendResult | None]]] = []
        self._left = expected  # not yet taken
        self._changed = threading.Condition()

    def put(self, future: Future[tuple[Claim, SendResult | None]]) -> None:
        with self._changed:
            self._ready.append(future)
            if self._group_ready():
                self._changed.notify()

    def take(self, *, timeout: float) -> list[Future[tuple[Claim, SendResult | None]]]:
        """A group of finished sends, or what has finished when `timeout` passes (perhaps nothing)."""
        with self._changed:
            self._changed.wait_for(self._group_ready, timeout)
            taken, self._ready = self._ready, []
            self._left -= len(taken)
            return taken

    def _group_ready(self) -> bool:
        return len(self._ready) >= min(RECORD_EVERY, self._left)


def _renew(keepers: list[LeaseKeeper], now: datetime | None) -> None:
    for keeper in keepers:
        keeper.renew_if_due(now or utcnow())


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
    in_flight: Batch | None = None
    try:
        while not (stop is not None and stop.is_set()):
            try:
                busy, in_flight = _drain_overlapped(
                    factory, provider, in_flight, settings=settings, pool=pool, pace=pace
                )
                if time.monotonic() >= next_rollup:  # the reports' aggregates, off the webhook's path
                    catch_up(factory, timezone=settings.default_timezone)
                    next_rollup = time.monotonic() + ROLLUP_EVERY_SECONDS
            except Exception:  # a bad row or a lost database must not kill the worker
                log.exception("worker iteration failed")
                busy, in_flight = False, None  # its rows come back when their leases end, and are reconciled
            if not busy:
                time.sleep(settings.worker_poll_seconds)
        if in_flight is not None:
            finish_batch(factory, in_flight, settings=settings, now=None)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        if events is not None and stop is not None:
            events.join()


def _drain_overlapped(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    in_flight: Batch | None,
    *,
    settings: Settings,
    pool: Executor | None,
    pace: Pace,
) -> tuple[bool, Batch | None]:
    """Claim the next batch and queue its sends while the one before is still sending, then record the one
    before: the senders never wait for the claim. Returns whether there was anything to do, and the batch now
    in flight. With no pool, one batch at a time."""
    following = start_batch(factory, provider, settings=settings, pool=pool, pace=pace)
    if pool is None:
        finish_batch(factory, following, settings=settings, now=None)
        return bool(following.claims), None
    if in_flight is not None:
        finish_batch(factory, in_flight, settings=settings, now=None, waiting=following)
    return bool(following.claims) or in_flight is not None, following if following.claims else None


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
