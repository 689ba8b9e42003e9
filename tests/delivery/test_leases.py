"""A claim is a lease that cannot be outlived: with a slow provider and several workers, one text per row."""

from __future__ import annotations

import os
import signal
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError
from sqlalchemy import create_engine, select, text

from smsbot.config import Settings, load_settings
from smsbot.db import is_sqlite, transaction
from smsbot.delivery.claims import Claim, claim_due
from smsbot.delivery.leases import LeaseKeeper, Pace, renew_leases
from smsbot.delivery.providers.base import Outcome, SendResult
from smsbot.delivery.providers.twilio import RECONCILED
from smsbot.delivery.send_results import record_results
from smsbot.dependencies import Runtime
from smsbot.models import Message, SendAttempt, utcnow
from tests.delivery.conftest import start_worker
from tests.delivery.helpers import wait_until
from tests.delivery.test_worker_processes import all_done, file_many, stop
from tests.factories import file
from tests.twilio_standin import TwilioStandIn

# A lease of 5 s, a provider that takes most of a second per text, four sends at a time per worker: a worker
# that claimed a whole batch of 40 at once would still be sending when the lease of its last rows ran out.
SLOW = {"SMSBOT_LEASE_SECONDS": "5", "SMSBOT_TWILIO_TIMEOUT_SECONDS": "1.5", "SMSBOT_SEND_CONCURRENCY": "4"}


def test_two_workers_and_a_slow_provider_send_one_text_per_row(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    standin.set_callback_mode("none")
    phones = file_many(live_app, 40)
    standin.delay_next(40, delay_ms=800, created=True)  # created at once, answered late: a slow provider
    workers = [start_worker(twilio_settings, **SLOW) for _ in range(2)]
    try:
        wait_until(lambda: all_done(trt, phones), timeout=120)
    finally:
        for worker in workers:
            stop(worker)
    created = standin.stats()["created_by_to"]
    assert {phone: created.get(phone) for phone in phones} == {phone: 1 for phone in phones}


def test_a_worker_killed_mid_send_beside_a_live_one_leaves_one_text_per_row(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    standin.set_callback_mode("none")
    phones = file_many(live_app, 20)
    standin.delay_next(20, delay_ms=800, created=True)  # so the kill lands between Twilio's create and our commit
    first = start_worker(twilio_settings, **SLOW)
    wait_until(lambda: standin.stats()["created_messages"] >= 1, timeout=60)
    second = start_worker(twilio_settings, **SLOW)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    stop(first)
    try:
        wait_until(lambda: all_done(trt, phones), timeout=120)
    finally:
        stop(second)
    created = standin.stats()["created_by_to"]
    assert {phone: created.get(phone) for phone in phones} == {phone: 1 for phone in phones}
    with trt.sessions() as session:
        details = session.execute(select(SendAttempt.detail)).scalars().all()
    assert RECONCILED in details  # the killed worker's text in flight was found at Twilio by the survivor


def test_a_database_restart_under_sending_workers_leaves_one_text_per_row(
    live_app: Flask, trt: Runtime, twilio_settings: Settings, standin: TwilioStandIn
) -> None:
    if is_sqlite(trt.engine):
        pytest.skip("connections to drop exist only on PostgreSQL")
    standin.set_callback_mode("none")
    phones = file_many(live_app, 24)
    standin.delay_next(24, delay_ms=500, created=True)
    workers = [start_worker(twilio_settings, **SLOW) for _ in range(2)]
    try:
        wait_until(lambda: standin.stats()["created_messages"] >= 4, timeout=60)
        drop_every_connection(trt)  # what a server restart does to every worker's connections mid-batch
        wait_until(lambda: all_done(trt, phones), timeout=120)
    finally:
        for worker in workers:
            stop(worker)
    created = standin.stats()["created_by_to"]
    assert {phone: created.get(phone) for phone in phones} == {phone: 1 for phone in phones}


def drop_every_connection(rt: Runtime) -> None:
    outside = create_engine(rt.engine.url)  # not from a pool under test, so every other connection dies
    with outside.connect() as admin:
        killed = admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": rt.engine.url.database},
        ).all()
        admin.commit()
    outside.dispose()
    rt.engine.dispose()
    assert killed


def claim_at(rt: Runtime, when: datetime, limit: int = 50) -> list[Claim]:
    with transaction(rt.sessions) as session:
        return claim_due(session, settings=rt.settings, limit=limit, now=when)


def lease_of(rt: Runtime, claim: Claim) -> datetime | None:
    with rt.sessions() as session:
        message = session.get(Message, claim.sms.message_id)
        assert message is not None
        return message.lease_until


def keeper_of(rt: Runtime, claims: list[Claim], claimed_at: datetime) -> LeaseKeeper:
    return LeaseKeeper(rt.sessions, claims, settings=rt.settings, claimed_at=claimed_at)


def test_a_row_claimed_again_after_its_lease_is_not_sent_by_its_first_holder(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    start = utcnow()
    [first] = claim_at(rt, start)
    holder = keeper_of(rt, [first], start)
    assert holder.hold(first, start)
    after = start + timedelta(seconds=rt.settings.lease_seconds + 1)
    assert not holder.hold(first, after)  # ran out: nobody sends on it
    [second] = claim_at(rt, after)
    assert second.attempt == first.attempt + 1
    assert not holder.hold(first, after)
    assert keeper_of(rt, [second], after).hold(second, after)
    with transaction(rt.sessions) as session:  # nor can the first holder renew what is now someone else's
        assert renew_leases(session, [first], settings=rt.settings, now=after) == 0


def test_a_row_claimed_again_is_not_sent_by_its_first_holder_even_on_a_lagging_clock(
    client: FlaskClient, rt: Runtime
) -> None:
    file(client)
    start = utcnow()
    [first] = claim_at(rt, start)
    holder = keeper_of(rt, [first], start)
    claim_at(rt, start + timedelta(seconds=rt.settings.lease_seconds + 1))  # another worker, after the lease
    late = start + timedelta(seconds=rt.settings.lease_seconds - 1)  # the first holder's clock is behind
    assert not holder.hold(first, late)  # too little left for a send: asked the database, which says no


def test_the_first_holders_late_outcome_changes_nothing(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    start = utcnow()
    [first] = claim_at(rt, start)
    [second] = claim_at(rt, start + timedelta(seconds=rt.settings.lease_seconds + 1))
    with transaction(rt.sessions) as session:
        late = SendResult(Outcome.SENT, sid="SM" + "0" * 32, status="queued")
        record_results(session, [(first.sms.message_id, first.attempt, late)], settings=rt.settings, now=start)
    with rt.sessions() as session:
        message = session.get(Message, second.sms.message_id)
        assert message is not None and (message.status, message.provider_sid) == ("sending", None)


def test_renewed_leases_keep_waiting_rows_from_other_workers(client: FlaskClient, rt: Runtime) -> None:
    for _ in range(3):
        file(client)
    start = utcnow()
    claims = claim_at(rt, start)
    almost = start + timedelta(seconds=rt.settings.lease_seconds - 1)
    with transaction(rt.sessions) as session:
        assert renew_leases(session, claims, settings=rt.settings, now=almost) == 3
    assert claim_at(rt, start + timedelta(seconds=rt.settings.lease_seconds + 1)) == []


def test_the_keeper_renews_its_waiting_rows_and_trusts_what_it_renewed(client: FlaskClient, rt: Runtime) -> None:
    for _ in range(2):
        file(client)
    start = utcnow()
    claims = claim_at(rt, start)
    keeper = keeper_of(rt, claims, start)
    keeper.every = 0  # due at once; the worker renews every third of a lease
    almost = start + timedelta(seconds=rt.settings.lease_seconds - 1)
    keeper.renew_if_due(almost)
    assert all(lease_of(rt, c) == almost + timedelta(seconds=rt.settings.lease_seconds) for c in claims)
    assert claim_at(rt, start + timedelta(seconds=rt.settings.lease_seconds + 1)) == []
    assert all(keeper.hold(c, almost) for c in claims)


def test_a_lease_too_short_for_one_send_is_renewed_before_the_send(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    start = utcnow()
    [claim] = claim_at(rt, start)
    late = start + timedelta(seconds=rt.settings.lease_seconds - 2)  # less left than one provider call may take
    assert keeper_of(rt, [claim], start).hold(claim, late)
    assert lease_of(rt, claim) == late + timedelta(seconds=rt.settings.lease_seconds)


def test_a_worker_claims_only_what_it_can_send_within_half_a_lease_at_its_pace(settings: Settings) -> None:
    pace = Pace(settings.model_copy(update={"lease_seconds": 60, "twilio_timeout_seconds": 10}), parallel=4)
    assert pace.capacity(50) == 5  # unmeasured: a send may take 21 s, four at a time, in 30 s
    pace.observe(2.0)
    assert pace.capacity(50) == 50  # 60 fit, the batch limit holds
    pace.observe(10.0)
    assert pace.capacity(50) == int(4 * 30 / (0.7 * 2.0 + 0.3 * 10.0))


def test_a_lease_shorter_than_one_send_is_refused() -> None:
    with pytest.raises(ValidationError, match="SMSBOT_LEASE_SECONDS must exceed"):
        load_settings(lease_seconds=20, twilio_timeout_seconds=10)
