"""The inbox's *Change phone*: a number typed in national or E.164 form, a note saying how it was verified,
the notice again to the new number; refusals explained, CSRF and holding rules as for every staff action. And
the lender's decisions and phone changes on the timeline."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import col

from smsbot.dependencies import Runtime
from smsbot.models import AuditEvent
from tests.delivery.helpers import application_row, drain, outbound
from tests.factories import AUTH, application, new_phone, send_sms
from tests.fuzz import snapshot
from tests.staff_factories import StaffClient, handed_off, staff_client


@pytest.fixture
def alice(app: Flask, rt: Runtime) -> StaffClient:
    return staff_client(app, rt, "alice")


def audit(rt: Runtime, app_id: int) -> list[AuditEvent]:
    with rt.sessions() as session:
        query = select(AuditEvent).where(col(AuditEvent.application_id) == app_id).order_by(col(AuditEvent.id))
        return list(session.execute(query).scalars())


def test_a_number_typed_in_national_form_gets_the_notice_again_and_the_old_one_nothing(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    old = case["applicant"]["phone"]
    response = alice.act(case["id"], "change_phone", phone="139-0000-1234", note="called back on the new number")
    assert response.status_code == 303
    found = application(client, case["id"])
    assert found["applicant"]["phone"] == "+8613900001234"
    assert (found["state"], found["notice_version"]) == ("awaiting_confirmation", 2)
    assert found["transitions"][-1]["cause"]["type"] == "staff"
    drain(rt)
    assert [m.kind for m in outbound(rt, "+8613900001234")] == ["notice"]
    assert all(m.status != "queued" for m in outbound(rt, old))
    [event] = [e for e in audit(rt, case["id"]) if e.action == "change_phone"]
    assert (event.before or {})["phone"] == old and (event.after or {})["phone"] == "+8613900001234"
    assert event.note == "called back on the new number"
    page = alice.page(case["id"])
    assert "Number changed; the notice goes to the new number as a new version." in page
    assert "called back on the new number" in page and "data-phone-change" in page
    assert application_row(rt, case["id"]).assignee_id is None  # settled: given back


def test_a_new_number_that_opted_out_is_explained_to_staff(client: FlaskClient, alice: StaffClient) -> None:
    case, new = handed_off(client), new_phone()
    send_sms(client, new, "STOP")
    alice.act(case["id"], "change_phone", phone=new, note="lender record")
    page = alice.page(case["id"])
    assert "the new number opted out: the notice is kept and not sent" in page
    assert "the new number opted out: notice not sent" in page  # on the timeline, for whoever looks later
    found = application(client, case["id"])
    assert found["state"] == "opted_out"
    assert [m["status"] for m in found["messages"] if m["kind"] == "notice"][-1] == "suppressed"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"phone": "12345", "note": "call"}, "That is not a valid phone number"),
        ({"phone": "whatsapp:+8613900001234", "note": "call"}, "That is not a valid phone number"),
        ({"phone": "+8613900001234", "note": "  "}, "Write a note or reason."),
    ],
)
def test_a_bad_number_or_a_missing_note_is_refused_and_changes_nothing(
    client: FlaskClient, alice: StaffClient, rt: Runtime, form: dict[str, str], message: str
) -> None:
    case = handed_off(client)
    before, rows = application(client, case["id"]), snapshot(rt.engine)
    response = alice.act(case["id"], "change_phone", **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert application(client, case["id"]) == before and snapshot(rt.engine) == rows


def test_the_same_number_is_refused(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "change_phone", phone=case["applicant"]["phone"], note="call")
    assert response.status_code == 422
    assert "already has this number" in response.get_data(as_text=True)


def test_change_phone_needs_the_csrf_token_and_respects_who_holds_the_conversation(
    app: Flask, client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    form = {"phone": new_phone(), "note": "call"}
    assert alice.client.post(f"/staff/c/{case['id']}/change_phone", data=form).status_code == 400
    alice.act(case["id"], "claim")
    bob = staff_client(app, rt, "bob")
    assert bob.act(case["id"], "change_phone", **form).status_code == 403
    assert application(client, case["id"])["applicant"]["phone"] == case["applicant"]["phone"]


def test_the_labels_are_in_chinese_on_a_chinese_page(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    page = alice.get(f"/staff/c/{case['id']}?lang=zh").get_data(as_text=True)
    assert "更换号码并发送通知" in page and "核实方式" in page


def test_the_lenders_decision_is_on_the_timeline(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    body = {"decision_id": "d-1", "status": "approved", "amount": 48000, "note": "committee 12"}
    client.post(f"/api/v1/applications/{case['id']}/decisions", json=body, headers=AUTH)
    page = alice.page(case["id"])
    assert 'data-decision="approved"' in page and "48,000.00" in page and "committee 12" in page
    assert "record_decision" in page
