"""The outbox worker with the simulator backend: send after commit, consent at send time, leases, rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.delivery.claims import Claim, claim_due
from smsbot.delivery.pacing import take_slot
from smsbot.dependencies import Runtime, build_runtime
from smsbot.models import Message, utcnow
from smsbot.worker import drain_once
from tests.factories import application, file, send_sms


def drain(rt: Runtime, **kwargs) -> int:
    return drain_once(rt.sessions, rt.provider, settings=rt.settings, **kwargs)


def claim(rt: Runtime, *, limit: int = 50, now=None) -> list[Claim]:
    with transaction(rt.sessions) as session:
        return claim_due(session, settings=rt.settings, limit=limit, now=now or utcnow())


def statuses(rt: Runtime, phone: str) -> list[tuple[str, str]]:
    with rt.sessions() as session:
        query = select(Message.kind, Message.status).where(Message.phone == phone, Message.direction == "out")
        return [tuple(row) for row in session.execute(query.order_by(Message.id)).all()]


def test_the_worker_sends_the_notice_once(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    assert drain(rt) == 1
    assert drain(rt) == 0
    [notice] = application(client, app["id"])["messages"]
    assert notice["status"] == "delivered"
    assert notice["sent_at"] is not None


def test_replies_go_before_bulk_notices(client: FlaskClient, rt: Runtime) -> None:
    first = file(client)
    file(client)
    send_sms(client, first["applicant"]["phone"], "1")
    claims = claim(rt, limit=1)
    assert "已收到您的确认" in claims[0].sms.body


def test_consent_is_checked_again_at_send_time(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    send_sms(client, phone, "STOP")
    with rt.sessions.begin() as session:  # a path that queues behind the opt-out's back
        session.add(Message(direction="out", phone=phone, body="x", kind="staff_reply", status="queued"))
    drain(rt)
    assert dict(statuses(rt, phone)) == {
        "notice": "cancelled",
        "opt_out_confirmation": "delivered",
        "staff_reply": "suppressed",
    }


def test_a_row_whose_worker_died_comes_back_after_its_lease_to_be_reconciled(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    [first] = claim(rt)
    assert claim(rt) == []
    later = utcnow() + timedelta(seconds=rt.settings.lease_seconds + 1)
    [again] = claim(rt, now=later)
    assert again.sms.message_id == first.sms.message_id
    assert again.reconcile is True


def test_messages_held_for_later_wait(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    with rt.sessions.begin() as session:
        session.execute(update(Message).values(send_after=utcnow() + timedelta(hours=1)))
    assert drain(rt) == 0


def test_the_same_body_goes_to_the_same_phone_at_most_twice_in_ten_minutes(client: FlaskClient, rt: Runtime) -> None:
    phone = file(client)["applicant"]["phone"]
    drain(rt)
    with rt.sessions.begin() as session:
        for _ in range(3):
            session.add(Message(direction="out", phone=phone, body="same words", kind="staff_reply", status="queued"))
    drain(rt)
    sent = [s for k, s in statuses(rt, phone) if k == "staff_reply"]
    assert sent == ["delivered", "delivered", "suppressed"]


def take(rt: Runtime, base: datetime, at: float = 0.0) -> float:
    """The slot of a send ready `at` seconds after `base`, taken in its own transaction as a worker's send thread
    takes it; in seconds after `base`."""
    with transaction(rt.sessions) as session:
        slot = take_slot(session, "sender", settings=rt.settings, now=base + timedelta(seconds=at))
    return round((slot - base).total_seconds(), 3)


def test_each_send_takes_a_slot_one_interval_after_the_last_taken_by_any_worker(
    client: FlaskClient, rt: Runtime, settings: Settings
) -> None:
    rt.settings.send_rate = 2
    other = build_runtime(settings.model_copy(update={"send_rate": 2}))  # a second worker, its own engine
    try:
        base = utcnow()
        assert [take(rt, base), take(other, base), take(rt, base), take(other, base)] == [0.0, 0.5, 1.0, 1.5]
        # A send that gets ready late does not go early: it takes the next free slot from its own moment.
        assert take(other, base, at=1.6) == 2.0
        assert take(rt, base, at=5) == 5.0
        assert take(other, base, at=5.1) == 5.5
    finally:
        other.engine.dispose()


def test_a_paced_claim_takes_about_a_seconds_worth_of_rows(client: FlaskClient, rt: Runtime) -> None:
    rt.settings.send_rate = 2
    for _ in range(5):
        file(client)
    now = utcnow()
    assert len(claim(rt, now=now)) == 2
    assert len(claim(rt, now=now)) == 2
    rt.settings.send_rate = 0
    assert len(claim(rt, now=now)) == 1  # unpaced: everything due
