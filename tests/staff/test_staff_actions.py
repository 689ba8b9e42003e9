"""Staff actions through the web layer: claiming, replying, settling, permissions, CSRF and the audit trail."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import col

from smsbot.dependencies import Runtime
from smsbot.models import AuditEvent, Message
from tests.factories import application, send_sms
from tests.staff_factories import StaffClient, handed_off, staff_client


@pytest.fixture
def alice(app: Flask, rt: Runtime) -> StaffClient:
    return staff_client(app, rt, "alice")


@pytest.fixture
def boss(app: Flask, rt: Runtime) -> StaffClient:
    return staff_client(app, rt, "boss", role="admin")


def audit_actions(rt: Runtime, app_id: int) -> list[str]:
    with rt.sessions() as session:
        query = select(AuditEvent).where(col(AuditEvent.application_id) == app_id).order_by(col(AuditEvent.id))
        return [event.action for event in session.execute(query).scalars()]


def outbound(found: dict, kind: str) -> list[dict]:
    return [m for m in found["messages"] if m["direction"] == "out" and m["kind"] == kind]


def test_claiming_an_unassigned_conversation_makes_it_mine(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "claim")
    assert response.status_code == 303
    page = alice.page(case["id"])
    assert "You hold this conversation now." in page
    assert audit_actions(rt, case["id"]) == ["claim"]


def test_a_second_claim_is_told_who_holds_the_conversation(
    app: Flask, client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    bob = staff_client(app, rt, "bob")
    alice.act(case["id"], "claim")
    assert bob.act(case["id"], "claim").status_code == 303
    assert "Already claimed by alice." in bob.page(case["id"])


def test_simultaneous_claims_have_exactly_one_winner(app: Flask, client: FlaskClient, rt: Runtime) -> None:
    case = handed_off(client)
    staff = [staff_client(app, rt, f"agent{i}") for i in range(6)]
    barrier = threading.Barrier(len(staff))
    pages: dict[str, str] = {}

    def claim(member: StaffClient) -> None:
        barrier.wait()
        member.act(case["id"], "claim")
        pages[member.username] = member.page(case["id"])

    threads = [threading.Thread(target=claim, args=(member,)) for member in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, page in pages.items() if "You hold this conversation now." in page]
    assert len(winners) == 1
    assert all(f"Already claimed by {winners[0]}." in page for name, page in pages.items() if name != winners[0])
    assert audit_actions(rt, case["id"]) == ["claim"]


def test_a_reply_is_queued_through_the_outbox_with_the_lenders_name(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "reply", body="您好，我们已收到，稍后联系您。").status_code == 303
    [reply] = outbound(application(client, case["id"]), "staff_reply")
    assert reply["body"] == "【示例农商银行】您好，我们已收到，稍后联系您。"
    assert reply["status"] == "queued"
    assert audit_actions(rt, case["id"]) == ["claim", "reply"]


def test_a_reply_to_an_opted_out_phone_is_refused_with_an_explanation(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client, "STOP", "START")
    send_sms(client, case["applicant"]["phone"], "STOP")
    response = alice.act(case["id"], "reply", body="Hello?")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "this phone opted out" in page and "Hello?" in page  # the draft is kept
    assert outbound(application(client, case["id"]), "staff_reply") == []


def test_a_reply_that_looks_like_the_scam_is_refused(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "reply", body="请点击 http://pay.example.cn 缴纳保证金")
    assert response.status_code == 422
    assert "contains a link" in response.get_data(as_text=True)
    assert alice.act(case["id"], "reply", body="   ").status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        "您的案件已立\u200b案",
        "详情 bit.ly/abc",
        "加VX：loan888",
        "请联系 138 1234 5678",
        "请联系１３８１２３４５６７８",
    ],
)
def test_a_disguised_scam_reply_is_refused_and_nothing_is_queued(
    client: FlaskClient, alice: StaffClient, rt: Runtime, body: str
) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "reply", body=body)
    assert response.status_code == 422
    assert "looks like a scam message" in response.get_data(as_text=True)
    assert outbound(application(client, case["id"]), "staff_reply") == []
    assert "reply" not in audit_actions(rt, case["id"])


def test_a_reply_that_gives_the_lenders_hotline_is_sent(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "reply", body="如有疑问请致电95XXX。").status_code == 303
    assert len(outbound(application(client, case["id"]), "staff_reply")) == 1


@pytest.mark.parametrize("body", ["您好\x00", "hello\x1b[31m", "line\rfeed", "tab\there", "\x7f"])
def test_a_reply_with_a_control_character_is_refused_and_nothing_changes(
    client: FlaskClient, alice: StaffClient, rt: Runtime, body: str
) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "reply", body=body)
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    assert outbound(application(client, case["id"]), "staff_reply") == []
    assert audit_actions(rt, case["id"]) == []  # not even the claim the reply would have made


def test_a_reply_keeps_its_line_breaks_as_plain_newlines(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "reply", body="您好\r\n请回复1").status_code == 303
    [reply] = outbound(application(client, case["id"]), "staff_reply")
    assert reply["body"] == "【示例农商银行】您好\n请回复1"


@pytest.mark.parametrize(("action", "field"), [("confirm", "note"), ("close", "reason")])
def test_a_note_with_a_nul_is_refused_and_nothing_changes(
    client: FlaskClient, boss: StaffClient, rt: Runtime, action: str, field: str
) -> None:
    case = handed_off(client)
    response = boss.act(case["id"], action, **{field: "by phone\x00"})
    assert response.status_code == 422
    assert "control characters" in response.get_data(as_text=True)
    assert application(client, case["id"])["state"] == "handed_off"
    assert audit_actions(rt, case["id"]) == []


def test_applying_a_correction_issues_a_new_notice_version_and_sends_it(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client, "2", "2", "60000")
    assert case["handoff_reason"] == "correction"
    [correction] = case["corrections"]
    response = alice.act(
        case["id"], "apply_correction", field="amount", value="60000", correction_id=str(correction["id"])
    )
    assert response.status_code == 303
    found = application(client, case["id"])
    assert (found["state"], found["amount"], found["notice_version"]) == ("awaiting_confirmation", 60000, 2)
    assert [v["amount"] for v in found["notice_versions"]] == [50000, 60000]
    assert found["corrections"][0]["status"] == "applied"
    notices = outbound(found, "notice")
    assert len(notices) == 2 and "6万元" in notices[-1]["body"]
    last = found["transitions"][-1]
    assert (last["event"], last["cause"]["type"]) == ("staff_apply_correction", "staff")
    with rt.sessions() as session:
        audit = session.execute(select(AuditEvent).where(col(AuditEvent.action) == "apply_correction")).scalar_one()
    assert audit.before == {"amount": 50000, "notice_version": 1, "state": "handed_off", "assignee": "alice"}
    assert audit.after == {"amount": 60000, "notice_version": 2, "state": "awaiting_confirmation", "assignee": None}


def test_an_invalid_correction_value_changes_nothing(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "apply_correction", field="amount", value="5万左右")
    assert response.status_code == 422
    assert "That is not a valid Amount." in response.get_data(as_text=True)
    assert application(client, case["id"])["notice_version"] == 1


def test_resending_the_notice_waits_for_confirmation_again(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "resend_notice").status_code == 303
    found = application(client, case["id"])
    assert found["state"] == "awaiting_confirmation"
    assert len(outbound(found, "notice")) == 2


def test_marking_confirmed_needs_a_note_and_sends_nothing(client: FlaskClient, alice: StaffClient, rt: Runtime) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "confirm", note=" ").status_code == 422
    assert alice.act(case["id"], "confirm", note="Confirmed on a call at 10:05").status_code == 303
    found = application(client, case["id"])
    assert found["state"] == "confirmed"
    assert outbound(found, "confirmation_received") == []
    assert "Confirmed on a call at 10:05" in alice.page(case["id"])


def test_releasing_gives_the_conversation_back_to_the_bot(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "release").status_code == 303
    assert application(client, case["id"])["state"] == "awaiting_confirmation"
    assert send_sms(client, case["applicant"]["phone"], "1").status_code == 200
    assert application(client, case["id"])["state"] == "confirmed"


def test_only_an_admin_may_close_and_must_say_why(
    client: FlaskClient, alice: StaffClient, boss: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    assert alice.act(case["id"], "close", reason="wrong number").status_code == 403
    assert boss.act(case["id"], "close", reason="").status_code == 422
    assert boss.act(case["id"], "close", reason="wrong number, identity check by phone").status_code == 303
    assert application(client, case["id"])["state"] == "closed"
    assert audit_actions(rt, case["id"])[-1] == "close"


def test_a_conversation_held_by_someone_else_is_refused_until_an_admin_takes_over(
    client: FlaskClient, alice: StaffClient, boss: StaffClient, app: Flask, rt: Runtime
) -> None:
    case = handed_off(client)
    alice.act(case["id"], "claim")
    bob = staff_client(app, rt, "bob")
    refused = bob.act(case["id"], "reply", body="hi")
    assert refused.status_code == 403 and "Already claimed by alice." in refused.get_data(as_text=True)
    assert bob.act(case["id"], "take_over").status_code == 403
    assert boss.act(case["id"], "take_over").status_code == 303
    assert boss.act(case["id"], "reply", body="Hello from the supervisor").status_code == 303
    assert audit_actions(rt, case["id"]) == ["claim", "take_over", "reply"]


def test_the_holder_can_put_a_conversation_back_in_the_queue(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    alice.act(case["id"], "claim")
    assert alice.act(case["id"], "unassign").status_code == 303
    rows = alice.get("/staff/queue?assigned=unassigned", headers={"Accept": "application/json"}).get_json()
    assert rows["ids"] == [case["id"]]
    assert audit_actions(rt, case["id"]) == ["claim", "unassign"]


def test_a_move_the_state_does_not_allow_is_refused(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    alice.act(case["id"], "confirm", note="ok by phone")
    response = alice.act(case["id"], "release")
    assert response.status_code == 409
    assert "Not possible while the conversation is confirmed." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "form"),
    [
        ("claim", {}),
        ("take_over", {}),
        ("unassign", {}),
        ("reply", {"body": "hi"}),
        ("resend_notice", {}),
        ("apply_correction", {"field": "amount", "value": "60000"}),
        ("confirm", {"note": "by phone"}),
        ("close", {"reason": "done"}),
        ("release", {}),
    ],
)
def test_every_action_without_a_csrf_token_is_refused_and_changes_nothing(
    client: FlaskClient, boss: StaffClient, rt: Runtime, action: str, form: dict[str, str]
) -> None:
    case = handed_off(client)
    response = boss.client.post(f"/staff/c/{case['id']}/{action}", data=form)
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    wrong = boss.client.post(f"/staff/c/{case['id']}/{action}", data={**form, "csrf_token": "forged"})
    assert wrong.status_code == 400
    found = application(client, case["id"])
    assert (found["state"], found["notice_version"]) == ("handed_off", 1)
    assert audit_actions(rt, case["id"]) == []


@pytest.mark.parametrize("action", ["claim", "reply", "resend_notice", "confirm", "release"])
def test_every_action_needs_a_login(client: FlaskClient, action: str) -> None:
    case = handed_off(client)
    client.application.config["WTF_CSRF_ENABLED"] = False  # the login guard, not CSRF, must stop this
    response = client.post(f"/staff/c/{case['id']}/{action}", data={"body": "x", "note": "x"})
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert application(client, case["id"])["state"] == "handed_off"


def test_every_action_is_on_the_timeline_with_who_and_what(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client, "2", "1", "李四")
    alice.act(case["id"], "apply_correction", field="name", value="李四")
    page = alice.page(case["id"])
    assert 'data-audit="claim"' in page and 'data-audit="apply_correction"' in page
    assert "张三" in page and "李四" in page  # before and after
    with rt.sessions() as session:
        assert (
            session.execute(select(Message).where(col(Message.kind) == "notice"))
            .scalars()
            .all()[-1]
            .body.startswith("【示例农商银行】李*")
        )


def test_a_settled_conversation_leaves_the_queue_unassigned(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    alice.act(case["id"], "claim")
    alice.act(case["id"], "resend_notice")
    send_sms(client, case["applicant"]["phone"], "转人工")
    rows = alice.get("/staff/queue?assigned=unassigned", headers={"Accept": "application/json"}).get_json()
    assert rows["ids"] == [case["id"]]


def test_a_staff_reply_cancels_the_bots_pending_reminder(client: FlaskClient, alice: StaffClient, rt: Runtime) -> None:
    from smsbot.models import Timer
    from tests.factories import file

    filed = file(client)  # still waiting for 1 / 2, with a reminder and an expiry pending
    assert alice.act(filed["id"], "reply", body="您好，请核对后回复1或2。").status_code == 303
    with rt.sessions() as session:
        statuses = session.execute(select(Timer.status).where(col(Timer.application_id) == filed["id"])).scalars()
        assert set(statuses) == {"cancelled"}


def test_the_inbox_pollers_never_rewrite_the_session_cookie(client: FlaskClient, alice: StaffClient) -> None:
    """A poll that answered after a claim would otherwise send back the cookie it left with, and the claim's
    flash ("Already claimed by ...") would be lost before the page it leads to."""
    case = handed_off(client)
    for path in ("/staff/queue?assigned=all", f"/staff/c/{case['id']}/timeline", "/staff/"):
        response = alice.get(path)
        assert response.status_code == 200, path
        assert "Set-Cookie" not in response.headers, path
