"""The outbox worker with the simulator backend: send after commit, consent at send time, leases."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select, update

from smsbot.models import Message, utcnow
from smsbot.providers.simulator import SimulatorProvider
from smsbot.runtime import Runtime
from smsbot.worker import claim_due, drain_once
from tests.factories import application, file, send_sms


def drain(rt: Runtime) -> int:
    return drain_once(rt.sessions, rt.provider, settings=rt.settings)


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
    claims = claim_due(rt.sessions, settings=rt.settings, limit=1, now=utcnow())
    assert "已收到您的确认" in claims[0].sms.body


def test_consent_is_checked_again_at_send_time(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    send_sms(client, phone, "STOP")
    with rt.sessions.begin() as session:  # a path that queues behind the opt-out's back
        session.add(Message(direction="out", phone=phone, body="x", kind="staff_reply", status="queued"))
    drain(rt)
    with rt.sessions() as session:
        statuses = dict(session.execute(select(Message.kind, Message.status).where(Message.phone == phone)).all())
    assert statuses["staff_reply"] == "suppressed"
    assert statuses["opt_out_confirmation"] == "delivered"


def test_a_row_whose_worker_died_comes_back_after_its_lease(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    [claim] = claim_due(rt.sessions, settings=rt.settings, limit=10, now=utcnow())
    assert claim_due(rt.sessions, settings=rt.settings, limit=10, now=utcnow()) == []
    later = utcnow() + timedelta(seconds=rt.settings.lease_seconds + 1)
    [again] = claim_due(rt.sessions, settings=rt.settings, limit=10, now=later)
    assert again.sms.message_id == claim.sms.message_id
    assert again.reconcile is True


def test_messages_held_for_later_wait(client: FlaskClient, rt: Runtime) -> None:
    file(client)
    with rt.sessions.begin() as session:
        session.execute(update(Message).values(send_after=utcnow() + timedelta(hours=1)))
    assert drain(rt) == 0
    assert isinstance(rt.provider, SimulatorProvider)
