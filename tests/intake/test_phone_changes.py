"""A verified new number through the API: the new number gets the notice again as a new version, the old one
gets nothing more and its replies no longer reach the application; refusals are clear and change nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask.testing import FlaskClient

from smsbot.conversation.moves import hand_off
from smsbot.db import transaction
from smsbot.dependencies import Runtime
from smsbot.models import Application
from states.conversation_states import HandoffReason
from tests.delivery.helpers import application_row, drain, outbound
from tests.factories import AUTH, application, file, new_phone, send_sms
from tests.fuzz import snapshot

SENT = ("accepted", "sent", "delivered")


def change(client: FlaskClient, app_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/applications/{app_id}/phone", json=body, headers=AUTH)


def test_a_changed_number_gets_the_new_notice_and_the_old_number_nothing_more(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    old, new = app["applicant"]["phone"], new_phone()
    response = change(client, app["id"], phone=new, verified_by="lender call centre, ID checked")
    assert response.status_code == 200, response.get_json()
    drain(rt)
    assert [(m.kind, m.status) for m in outbound(rt, old)] == [("notice", "cancelled")]
    [notice] = outbound(rt, new)
    assert notice.kind == "notice" and notice.status in SENT
    body = response.get_json()
    assert body["applicant"]["phone"] == new and body["notice_version"] == 2
    assert [v["version"] for v in body["notice_versions"]] == [1, 2]
    assert body["phone_changes"][0] | {"created_at": None} == {
        "old_phone": old,
        "new_phone": new,
        "verified_by": "lender call centre, ID checked",
        "cause": {"type": "api", "id": body["phone_changes"][0]["cause"]["id"]},
        "notice_version": 2,
        "notice_suppressed": False,
        "created_at": None,
    }
    assert body["transitions"][-1]["event"] == "change_phone" and body["transitions"][-1]["cause"]["type"] == "api"
    send_sms(client, old, "1")
    assert application_row(rt, app["id"]).state == "awaiting_confirmation"  # the old number no longer confirms
    drain(rt)
    assert [m.kind for m in outbound(rt, old) if m.status in SENT] == ["no_application"]
    send_sms(client, new, "1")
    assert application_row(rt, app["id"]).state == "confirmed"


def test_a_number_in_national_form_is_read_in_the_default_region(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    response = change(client, app["id"], phone="139 1234 5678", verified_by="branch visit")
    assert response.status_code == 200
    assert response.get_json()["applicant"]["phone"] == "+8613912345678"


def test_a_national_number_follows_smsbot_default_region(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    rt.settings.default_region = "HK"
    response = change(client, app["id"], phone="9123 4567", verified_by="branch visit")
    assert response.get_json()["applicant"]["phone"] == "+85291234567"


def test_a_conversation_handed_off_with_delivery_failed_is_settled_by_a_new_number(
    client: FlaskClient, rt: Runtime
) -> None:
    app = file(client)
    with transaction(rt.sessions) as session:
        row = session.get(Application, app["id"])
        assert row is not None
        hand_off(
            session,
            row,
            HandoffReason.DELIVERY_FAILED,
            settings=rt.settings,
            cause="delivery",
            cause_id=None,
            event="do_fail_delivery",
        )
    response = change(client, app["id"], phone=new_phone(), verified_by="called the applicant")
    body = response.get_json()
    assert (body["state"], body["handoff_reason"]) == ("awaiting_confirmation", None)


def test_a_new_number_that_opted_out_keeps_the_notice_suppressed(client: FlaskClient, rt: Runtime) -> None:
    app, new = file(client), new_phone()
    send_sms(client, new, "TD")  # that number said stop before it was ours
    drain(rt)
    response = change(client, app["id"], phone=new, verified_by="lender record")
    assert response.status_code == 200
    drain(rt)
    notices = [m for m in outbound(rt, new) if m.kind == "notice"]
    assert [m.status for m in notices] == ["suppressed"]
    assert response.get_json()["state"] == "opted_out"
    assert response.get_json()["phone_changes"][0]["notice_suppressed"] is True


def test_the_same_number_again_changes_nothing(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    new = new_phone()
    change(client, app["id"], phone=new, verified_by="call")
    before, rows = application(client, app["id"]), snapshot(rt.engine)
    assert change(client, app["id"], phone=new, verified_by="call").status_code == 200
    assert application(client, app["id"]) == before and snapshot(rt.engine) == rows


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"phone": "not a phone", "verified_by": "call"}, "phone"),
        ({"phone": "+99912345678", "verified_by": "call"}, "phone"),
        ({"phone": "12345", "verified_by": "call"}, "phone"),
        ({"phone": "+8613912345678"}, "verified_by"),
        ({"phone": "+8613912345678", "verified_by": "  "}, "verified_by"),
        ({"phone": "+8613912345678", "verified_by": "call", "name": "x"}, "name"),
        ({"phone": 8613912345678, "verified_by": "call"}, "phone"),
    ],
)
def test_a_bad_phone_change_gets_an_error_per_field_and_changes_nothing(
    client: FlaskClient, rt: Runtime, body: dict[str, Any], field: str
) -> None:
    app = file(client)
    before, rows = application(client, app["id"]), snapshot(rt.engine)
    response = change(client, app["id"], **body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert application(client, app["id"]) == before and snapshot(rt.engine) == rows


def test_a_phone_change_for_an_unknown_application_is_404(client: FlaskClient, rt: Runtime) -> None:
    rows = snapshot(rt.engine)
    assert change(client, 999999, phone=new_phone(), verified_by="call").status_code == 404
    assert snapshot(rt.engine) == rows


@pytest.mark.parametrize("end", ["declined", "opt_out"])
def test_a_closed_or_opted_out_conversation_keeps_its_number(client: FlaskClient, rt: Runtime, end: str) -> None:
    app = file(client)
    if end == "declined":
        client.post(
            f"/api/v1/applications/{app['id']}/decisions", json={"decision_id": "d", "status": end}, headers=AUTH
        )
    else:
        send_sms(client, app["applicant"]["phone"], "TD")
    before, rows = application(client, app["id"]), snapshot(rt.engine)
    response = change(client, app["id"], phone=new_phone(), verified_by="call")
    assert response.status_code == 409
    assert "cannot be changed" in response.get_json()["error"]
    assert application(client, app["id"]) == before and snapshot(rt.engine) == rows


def test_logs_hold_the_numbers_only_masked(client: FlaskClient, rt: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    app, new = file(client), new_phone()
    with caplog.at_level(logging.INFO):
        change(client, app["id"], phone=new, verified_by="call")
    assert "moved from" in caplog.text
    assert new not in caplog.text and new[3:] not in caplog.text
    assert app["applicant"]["phone"][3:] not in caplog.text
