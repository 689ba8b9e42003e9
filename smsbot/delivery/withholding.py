"""The last look before a claimed text goes: has its phone opted out, or has its conversation moved on?

The claim applied every rule (`delivery.claims`), but a batch takes a while to send, and a reply may arrive
meanwhile. So a send whose batch was last looked at more than `RECHECK_AFTER_SECONDS` ago looks again, for the
whole batch still waiting in one pair of queries: no text goes out on a look older than that. Shared by the
worker's send threads; one of them looks while the others wait for its answer."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.db import one_of
from smsbot.delivery.claims import Claim
from smsbot.models import Application, PhoneConsent
from states.waiting_texts import OUTDATED, still_wanted

RECHECK_AFTER_SECONDS = 0.5
OPTED_OUT = "opted_out"


class Withholding:
    """Why each claim of one batch must not go now, as of the last look (at most `RECHECK_AFTER_SECONDS` old)."""

    def __init__(self, factory: sessionmaker[Session], claims: Iterable[Claim], *, claimed_at: datetime) -> None:
        self._factory = factory
        self._waiting = {claim.sms.message_id: claim for claim in claims}
        self._looked_at = claimed_at  # the claim itself was the first look
        self._reasons: dict[int, str] = {}
        self._lock = threading.Lock()

    def reason(self, claim: Claim, now: datetime) -> str | None:
        """Why this claim must not go now, or None; called once per claim, right before its send."""
        with self._lock:
            if (now - self._looked_at).total_seconds() > RECHECK_AFTER_SECONDS:
                self._reasons = withhold_reasons(self._factory, self._waiting.values())
                self._looked_at = now
            self._waiting.pop(claim.sms.message_id, None)
            return self._reasons.get(claim.sms.message_id)


def withhold_reasons(factory: sessionmaker[Session], claims: Iterable[Claim]) -> dict[int, str]:
    """Message id -> why it must not go now (its phone opted out, or its conversation no longer wants it)."""
    claims = list(claims)
    if not claims:
        return {}
    with factory() as session:
        phones = {claim.sms.phone for claim in claims if not claim.consent_exempt}
        opted_out = _opted_out(session, phones)
        watched = {claim.application_id for claim in claims if claim.watched and claim.application_id is not None}
        states = _states(session, watched)
    reasons = {}
    for claim in claims:
        state = states.get(claim.application_id or 0) if claim.watched else None
        if not claim.consent_exempt and claim.sms.phone in opted_out:
            reasons[claim.sms.message_id] = OPTED_OUT
        elif state is not None and not still_wanted(claim.kind, claim.sms.template, state):
            reasons[claim.sms.message_id] = OUTDATED
    return reasons


def _opted_out(session: Session, phones: set[str]) -> set[str]:
    if not phones:
        return set()
    query = select(col(PhoneConsent.phone)).where(
        one_of(session, col(PhoneConsent.phone), phones), col(PhoneConsent.opted_out)
    )
    return set(session.execute(query).scalars())


def _states(session: Session, application_ids: set[int]) -> dict[int, str]:
    if not application_ids:
        return {}
    query = select(col(Application.id), col(Application.state)).where(
        one_of(session, col(Application.id), application_ids)
    )
    return {app_id: state for app_id, state in session.execute(query).tuples()}
