"""The lender's decisions through the API: each sends its progress notice once, inside the notice window,
never to an opted-out phone; a retry sends nothing; refusals are clear and change nothing."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from smsbot.delivery.windows import next_allowed
from smsbot.dependencies import Runtime
from smsbot.models import utcnow
from tests.delivery.helpers import application_row, drain, outbound
from tests.factories import AUTH, application, file, new_phone, send_sms
from tests.fuzz import snapshot

STATUSES = ["documents_needed", "approved", "disbursed", "declined", "withdrawn"]


def decide(client: FlaskClient, app_id: int, **body: Any) -> Any:
    return client.post(f"/api/v1/applications/{app_id}/decisions", json=body, headers=AUTH)


def progress_notices(rt: Runtime, phone: str) -> list[Any]:
    return [m for m in outbound(rt, phone) if m.kind.startswith("decision_")]


@pytest.mark.parametrize("status", STATUSES)
def test_each_decision_sends_its_progress_notice_once_and_a_retry_sends_nothing(
    client: FlaskClient, rt: Runtime, status: str
) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    assert app["decision"] is None
    first = decide(client, app["id"], decision_id="d-1", status=status)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["decision"] == status
    drain(rt)
    again = decide(client, app["id"], decision_id="d-1", status=status)
    assert again.status_code == 200
    drain(rt)
    [notice] = progress_notices(rt, phone)
    assert notice.kind == f"decision_{status}"
    assert notice.status not in ("queued", "suppressed", "cancelled")
    transition = application(client, app["id"])["transitions"][-1]
    assert transition["cause"]["type"] == "api"
    assert len(application(client, app["id"])["decisions"]) == 1


def test_the_same_decision_id_with_other_content_is_a_conflict_and_changes_nothing(
    client: FlaskClient, rt: Runtime
) -> None:
    app = file(client)
    assert decide(client, app["id"], decision_id="d-1", status="documents_needed").status_code == 201
    before, rows = application(client, app["id"]), snapshot(rt.engine)
    response = decide(client, app["id"], decision_id="d-1", status="approved")
    assert response.status_code == 409
    assert "decision_id" in response.get_json()["error"]
    assert application(client, app["id"]) == before and snapshot(rt.engine) == rows


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("declined", "disbursed"),
        ("declined", "approved"),
        ("withdrawn", "approved"),
        ("disbursed", "declined"),
        ("approved", "documents_needed"),
    ],
)
def test_a_decision_out_of_order_is_refused_with_a_clear_error(
    client: FlaskClient, rt: Runtime, earlier: str, later: str
) -> None:
    app = file(client)
    assert decide(client, app["id"], decision_id="d-1", status=earlier).status_code == 201
    before, rows = application(client, app["id"]), snapshot(rt.engine)
    response = decide(client, app["id"], decision_id="d-2", status=later)
    assert response.status_code == 409
    assert response.get_json()["error"] == f"a {later} decision cannot follow {earlier} (see the allowed order)"
    assert application(client, app["id"]) == before and snapshot(rt.engine) == rows


def test_documents_then_approval_then_disbursal_is_the_expected_order(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    for n, status in enumerate(["documents_needed", "documents_needed", "approved", "disbursed"]):
        assert decide(client, app["id"], decision_id=f"d-{n}", status=status).status_code == 201
    assert application(client, app["id"])["decision"] == "disbursed"
    assert application(client, app["id"])["state"] == "awaiting_confirmation"  # the others leave the state


def test_a_decision_for_an_unknown_application_is_404(client: FlaskClient, rt: Runtime) -> None:
    rows = snapshot(rt.engine)
    response = decide(client, 999999, decision_id="d-1", status="approved")
    assert response.status_code == 404
    assert snapshot(rt.engine) == rows


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision_id": "d-1", "status": "maybe"}, "status"),
        ({"status": "approved"}, "decision_id"),
        ({"decision_id": "d-1"}, "status"),
        ({"decision_id": "d 1", "status": "approved"}, "decision_id"),
        ({"decision_id": "d-1", "status": "declined", "amount": 50000}, "amount"),
        ({"decision_id": "d-1", "status": "approved", "amount": -5}, "amount"),
        ({"decision_id": "d-1", "status": "approved", "note": "a\x00b"}, "note"),
        ({"decision_id": "d-1", "status": "approved", "reason": "x"}, "reason"),
    ],
)
def test_bad_decisions_get_an_error_per_field_and_change_nothing(
    client: FlaskClient, rt: Runtime, body: dict[str, Any], field: str
) -> None:
    app = file(client)
    before, rows = application(client, app["id"]), snapshot(rt.engine)
    response = decide(client, app["id"], **body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert application(client, app["id"]) == before and snapshot(rt.engine) == rows


def test_a_progress_notice_waits_for_the_notice_window(client: FlaskClient, rt: Runtime) -> None:
    app = file(client, applicant={"timezone": "Asia/Shanghai"})
    drain(rt)
    rt.settings.notice_hours = "08:00-21:00"
    decide(client, app["id"], decision_id="d-1", status="approved")
    [notice] = progress_notices(rt, app["applicant"]["phone"])
    opening = next_allowed(utcnow(), "Asia/Shanghai", "08:00-21:00")
    assert abs((notice.send_after - opening).total_seconds()) < 5
    before = opening - timedelta(minutes=1)
    if before > utcnow():
        assert drain(rt, now=before) == 0
    assert drain(rt, now=opening + timedelta(seconds=1)) == 1


def test_no_progress_notice_reaches_a_phone_that_opted_out(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    send_sms(client, phone, "TD")
    drain(rt)
    sent_before = [m.id for m in outbound(rt, phone) if m.status not in ("queued", "cancelled", "suppressed")]
    for n, status in enumerate(["approved", "disbursed"]):
        assert decide(client, app["id"], decision_id=f"d-{n}", status=status).status_code == 201
    drain(rt)
    assert [m.status for m in progress_notices(rt, phone)] == ["suppressed", "suppressed"]
    sent_after = [m.id for m in outbound(rt, phone) if m.status not in ("queued", "cancelled", "suppressed")]
    assert sent_after == sent_before
    assert application(client, app["id"])["state"] == "opted_out"


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
def test_a_final_decision_closes_the_conversation_and_cancels_its_reminders(
    client: FlaskClient, rt: Runtime, status: str
) -> None:
    app = file(client)
    assert drain(rt) == 1  # the filing notice went out
    decide(client, app["id"], decision_id="d-1", status=status)
    row = application(client, app["id"])
    assert (row["state"], row["transitions"][-1]["event"]) == ("closed", "end_by_decision")
    assert drain(rt, now=utcnow() + timedelta(days=4)) == 1  # the progress notice only: no reminder
    assert [m.kind for m in outbound(rt, app["applicant"]["phone"])] == ["notice", f"decision_{status}"]
    send_sms(client, app["applicant"]["phone"], "1")
    assert application_row(rt, app["id"]).state == "closed"  # a late 1 confirms nothing


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
def test_a_question_after_a_final_decision_reaches_staff_on_its_application(
    client: FlaskClient, rt: Runtime, status: str
) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    decide(client, app["id"], decision_id="d-1", status=status)
    send_sms(client, phone, "为什么？我要找人工客服")
    row = application(client, app["id"])
    assert (row["state"], row["handoff_reason"]) == ("handed_off", "human_requested")
    assert row["transitions"][-1]["event"] == "reopen_for_staff"
    assert row["messages"][-2]["direction"] == "in"  # the question is on the application's own thread
    assert [m.kind for m in outbound(rt, phone)][-1] == "handoff"  # told a person will answer, not the hotline


def test_a_reply_goes_to_the_open_application_before_a_closed_one(client: FlaskClient, rt: Runtime) -> None:
    phone = new_phone()
    first = file(client, applicant={"phone": phone})
    later = file(client, applicant={"phone": phone})
    decide(client, later["id"], decision_id="d-later", status="withdrawn")
    send_sms(client, phone, "1")
    assert application(client, first["id"])["state"] == "confirmed"
    assert application(client, later["id"])["state"] == "closed"


def test_the_notice_states_the_amount_only_rounded(client: FlaskClient, rt: Runtime) -> None:
    zh = file(client)
    en = file(client, applicant={"name": "Zhang San", "locale": "en"})
    decide(client, zh["id"], decision_id="d-zh", status="approved", amount="52345.67")
    decide(client, en["id"], decision_id="d-en", status="disbursed")
    [zh_notice] = progress_notices(rt, zh["applicant"]["phone"])
    [en_notice] = progress_notices(rt, en["applicant"]["phone"])
    assert "5.2万元" in zh_notice.body and "52345" not in zh_notice.body
    assert "50,000" in en_notice.body and "Zhang*" in en_notice.body


def test_a_declined_notice_names_the_hotline_and_never_the_lenders_note(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    decide(client, app["id"], decision_id="d-1", status="declined", note="收入证明不足")
    [notice] = progress_notices(rt, app["applicant"]["phone"])
    assert rt.settings.hotline in notice.body and "收入" not in notice.body
    assert application(client, app["id"])["decisions"][0]["note"] == "收入证明不足"


@pytest.mark.parametrize("path", ["", "/decisions", "/phone"])
def test_an_id_beyond_the_id_column_is_404_not_an_error(client: FlaskClient, path: str) -> None:
    url = f"/api/v1/applications/{2**31}{path}"
    response = client.get(url, headers=AUTH) if not path else client.post(url, json={}, headers=AUTH)
    assert response.status_code == 404


def test_the_same_decision_sent_twice_at_once_is_recorded_and_notified_once(
    app: Any, client: FlaskClient, rt: Runtime
) -> None:
    filed = file(client)
    codes: list[int] = []
    barrier = threading.Barrier(4)

    def post() -> None:
        barrier.wait()
        codes.append(decide(app.test_client(), filed["id"], decision_id="d-1", status="approved").status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(codes) == [200, 200, 200, 201]
    assert len(progress_notices(rt, filed["applicant"]["phone"])) == 1
