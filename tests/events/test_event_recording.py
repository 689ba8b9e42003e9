"""Every change that causes an event records it in its own transaction, in order, with the fields the lender
reads; the webhook's fast writers and the ORM paths alike. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from smsbot.config import Settings
from smsbot.conversation.delivery_failures import settle_undeliverable
from smsbot.conversation.moves import carry_out
from smsbot.db import transaction
from smsbot.delivery.failures import Undeliverable
from smsbot.dependencies import Runtime
from smsbot.events.record import record_event
from smsbot.events.types import EventType
from smsbot.models import Application, Message
from smsbot.models.locking import lock_application
from states.policy import Step
from tests.events.history import data, event_rows, make_history, recorded
from tests.factories import AUTH, file, send_sms


def test_each_change_records_its_events_in_the_order_they_happened(eapp: Flask, ert: Runtime) -> None:
    expected = make_history(eapp, ert)
    assert recorded(ert) == expected


def test_events_carry_the_application_the_cause_and_their_own_fields(eapp: Flask, ert: Runtime) -> None:
    make_history(eapp, ert)
    rows = event_rows(ert)
    by_type: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_type.setdefault(row.type, []).append(data(row))
    (correction,) = by_type["application.correction_requested"]
    assert (correction["field"], correction["value"], correction["cause"]) == ("amount", "60000", "message")
    reasons = sorted(str(event["reason"]) for event in by_type["application.handed_off"])
    assert reasons == ["correction", "human_requested", "opted_in"]
    settled = sorted((str(event["how"]), event["by"], event["cause"]) for event in by_type["application.settled"])
    assert settled == [("close", "lin", "staff"), ("confirm", "lin", "staff"), ("resend_notice", "lin", "staff")]
    with ert.sessions() as session:
        external = {app.id: app.external_id for app in session.execute(select(Application)).scalars()}
    for row in rows:
        assert (data(row)["application_id"], data(row)["external_id"]) == (
            row.application_id,
            external[row.application_id],
        )
    assert len({row.webhook_id for row in rows}) == len(rows)


def test_a_delivery_failure_records_delivery_failed_then_the_handoff(eapp: Flask, ert: Runtime) -> None:
    filed = file(eapp.test_client())
    with ert.sessions() as session:
        notice = session.execute(select(Message).where(Message.application_id == filed["id"])).scalars().one()
    with transaction(ert.sessions) as session:
        failure = Undeliverable(notice.pk, filed["id"], unsubscribed=False)
        settle_undeliverable(session, [failure], settings=ert.settings)
    rows = event_rows(ert)
    assert [row.type for row in rows] == ["application.delivery_failed", "application.handed_off"]
    assert data(rows[0])["message_id"] == notice.pk
    assert (data(rows[1])["reason"], data(rows[1])["cause"]) == ("delivery_failed", "delivery")


def test_an_event_rolls_back_with_the_change_that_caused_it(eapp: Flask, ert: Runtime) -> None:
    filed = file(eapp.test_client())
    with pytest.raises(RuntimeError), transaction(ert.sessions) as session:
        app = lock_application(session, filed["id"])
        assert carry_out(session, app, Step("do_confirm"), settings=ert.settings, cause="staff", cause_id=None)
        assert len(session.execute(select(Message)).all()) >= 1
        raise RuntimeError("the change fails after its move")
    assert event_rows(ert) == []
    assert send_sms(eapp.test_client(), filed["applicant"]["phone"], "1").status_code == 200
    assert [row.type for row in event_rows(ert)] == ["application.confirmed"]


def test_no_event_is_recorded_when_events_are_off(app: Flask, rt: Runtime) -> None:
    make_history(app, rt)
    assert event_rows(rt) == []


def test_record_event_writes_other_changes_in_the_callers_transaction(eapp: Flask, ert: Runtime) -> None:
    """The one entry point for changes that are not moves (phone changes, decisions)."""
    filed = file(eapp.test_client())
    with transaction(ert.sessions) as session:
        app = lock_application(session, filed["id"])
        fields = {"phone": "+8613900139000", "previous_phone": app.phone, "verified_by": "call centre"}
        assert record_event(session, app, EventType.PHONE_CHANGED, settings=ert.settings, cause="api", **fields)
    (row,) = event_rows(ert)
    assert row.type == "application.phone_changed"
    assert data(row) | fields == data(row)
    assert (data(row)["state"], data(row)["previous_state"], data(row)["cause"]) == (app.state, app.state, "api")


def test_record_event_does_nothing_when_events_are_off(app: Flask, rt: Runtime, settings: Settings) -> None:
    filed = file(app.test_client())
    with transaction(rt.sessions) as session:
        app_row = lock_application(session, filed["id"])
        assert not record_event(session, app_row, EventType.DECISION_NOTIFIED, settings=settings, cause="api")
    assert event_rows(rt) == []


def test_a_decision_and_a_phone_change_record_their_events_after_the_moves_they_cause(
    eapp: Flask, ert: Runtime
) -> None:
    """Both come through the API (bearer token), each in the transaction that records it."""
    client = eapp.test_client()
    filed = file(client)
    decided = client.post(
        f"/api/v1/applications/{filed['id']}/decisions",
        json={"decision_id": "d-1", "status": "documents_needed"},
        headers=AUTH,
    )
    assert decided.status_code == 201, decided.get_json()
    moved = client.post(
        f"/api/v1/applications/{filed['id']}/phone",
        json={"phone": "+8613900001111", "verified_by": "video call"},
        headers=AUTH,
    )
    assert moved.status_code == 200, moved.get_json()
    rows = event_rows(ert)
    types = [row.type for row in rows]
    assert types.index("application.decision_notified") < types.index("application.phone_changed")
    decision = data(next(row for row in rows if row.type == "application.decision_notified"))
    assert (decision["decision_id"], decision["status"], decision["cause"]) == ("d-1", "documents_needed", "api")
    change = data(next(row for row in rows if row.type == "application.phone_changed"))
    assert (change["phone"], change["previous_phone"], change["verified_by"]) == (
        "+8613900001111",
        filed["applicant"]["phone"],
        "video call",
    )


def test_a_decline_tells_the_lender_the_state_it_closed(eapp: Flask, ert: Runtime) -> None:
    client = eapp.test_client()
    filed = file(client)
    decided = client.post(
        f"/api/v1/applications/{filed['id']}/decisions", json={"decision_id": "d-2", "status": "declined"}, headers=AUTH
    )
    assert decided.status_code == 201, decided.get_json()
    decision = data(next(row for row in event_rows(ert) if row.type == "application.decision_notified"))
    assert (decision["previous_state"], decision["state"]) == ("awaiting_confirmation", "closed")
    assert decision["notice_suppressed"] is False


def test_a_decision_for_an_opted_out_phone_says_its_notice_was_kept_unsent(eapp: Flask, ert: Runtime) -> None:
    client = eapp.test_client()
    filed = file(client)
    assert send_sms(client, filed["applicant"]["phone"], "退订").status_code == 200
    decided = client.post(
        f"/api/v1/applications/{filed['id']}/decisions", json={"decision_id": "d-3", "status": "approved"}, headers=AUTH
    )
    assert decided.status_code == 201, decided.get_json()
    decision = data(next(row for row in event_rows(ert) if row.type == "application.decision_notified"))
    assert decision["notice_suppressed"] is True
    with ert.sessions() as session:
        notice = session.get(Message, decision["message_id"])
        assert notice is not None and notice.status == "suppressed"


def test_a_phone_change_tells_the_lender_the_state_it_left(eapp: Flask, ert: Runtime) -> None:
    client = eapp.test_client()
    filed = file(client)
    assert send_sms(client, filed["applicant"]["phone"], "转人工").status_code == 200
    moved = client.post(
        f"/api/v1/applications/{filed['id']}/phone",
        json={"phone": "+8613900002222", "verified_by": "video call"},
        headers=AUTH,
    )
    assert moved.status_code == 200, moved.get_json()
    change = data(next(row for row in event_rows(ert) if row.type == "application.phone_changed"))
    assert (change["previous_state"], change["state"]) == ("handed_off", "awaiting_confirmation")
