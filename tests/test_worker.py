"""The outbox worker with the simulator backend: send after commit, consent at send time, leases, rules."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from smsbot.db import transaction
from smsbot.delivery.claims import Claim, claim_due
from smsbot.dependencies import Runtime
from smsbot.models import Message, utcnow
from smsbot.worker import drain_once
from tests.factories import application, file, send_sms


def drain(rt: Runtime, **kwargs) -> int:
    return drain_once(rt.sessions, rt.provider, settings=rt.settings, **kwargs)


def claim(rt: Runtime, *, limit: int = 50, now=None) -> list[Claim]:
    with transaction(rt.sessions) as session:
        return claim_due(session, settings=rt.settings, sender="test", limit=limit, now=now or utcnow())


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


def test_pacing_hands_out_one_slot_per_interval_across_claims(client: FlaskClient, rt: Runtime) -> None:
    rt.settings.send_rate = 2
    for _ in range(5):
        file(client)
    now = utcnow()
    first, second = claim(rt, now=now), claim(rt, now=now)
    slots = [c.not_before for c in first + second]
    assert len(slots) == 3  # now, now+0.5 s, now+1 s: the horizon is one second
    assert [round((s - now).total_seconds(), 3) for s in slots] == [0.0, 0.5, 1.0]
    later = claim(rt, now=now + timedelta(seconds=2))
    assert [round((c.not_before - now).total_seconds(), 3) for c in later] == [2.0, 2.5]
