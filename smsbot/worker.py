"""The worker: fire due timers, claim due outbound rows, send each with no database connection held, record
the outcome. A claim is a lease: a row whose worker died comes back when the lease ends and is reconciled with
the provider (was it created?) before it is sent again, so a crash never sends a message twice."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot import consent
from smsbot.claiming import Claim, claim_due
from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.models import utcnow
from smsbot.outcomes import record_result
from smsbot.privacy import mask_phone
from smsbot.providers.base import Outcome, SendResult, SmsProvider
from smsbot.timers import fire_due_timers

log = logging.getLogger(__name__)
RECHECK_AFTER_SECONDS = 0.5  # a paced send waits; look at consent again if the claim is older than this


def drain_once(
    factory: sessionmaker[Session],
    provider: SmsProvider,
    *,
    settings: Settings,
    limit: int = 50,
    now: datetime | None = None,
) -> int:
    """Fire due timers and send what is due now; returns how many rows were claimed."""
    fire_due_timers(factory, settings=settings, now=now)
    claimed_at = now or utcnow()
    with transaction(factory) as session:
        claims = claim_due(session, settings=settings, sender=sender_of(provider), limit=limit, now=claimed_at)
    for claim in claims:
        _wait_for_slot(claim, now)
        result = _send(factory, provider, claim, stale=(utcnow() - claimed_at).total_seconds() > RECHECK_AFTER_SECONDS)
        with transaction(factory) as session:
            record_result(session, claim.sms.message_id, result, settings=settings, now=now or utcnow())
        log.info(
            "send %s to %s: %s %s",
            claim.sms.message_id,
            mask_phone(claim.sms.phone),
            result.outcome.value,
            result.error_code or "",
        )
    return len(claims)


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
    """Poll until `stop` is set, sleeping only when there was nothing to do."""
    while not (stop is not None and stop.is_set()):
        try:
            busy = drain_once(factory, provider, settings=settings)
        except Exception:  # a bad row or a lost database must not kill the worker
            log.exception("worker iteration failed")
            busy = 0
        if not busy:
            time.sleep(settings.worker_poll_seconds)
