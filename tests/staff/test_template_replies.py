"""Staff replies on the aliyun backend: templates only, blanks checked, a preview that is exactly what is sent,
the template and its parameters kept with the message and in the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import col

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.conversation.catalogue import load_catalogue
from smsbot.dependencies import Runtime
from smsbot.models import Application, AuditEvent, Message
from smsbot.staff.template_replies import TemplateReply, fill_template
from tests.factories import application, send_sms
from tests.staff_factories import StaffClient, handed_off, staff_client


@pytest.fixture
def aliyun_app(settings: Settings, rt: Runtime) -> Flask:
    aliyun = settings.model_copy(update={"sms_backend": "aliyun"})
    flask_app = create_app(aliyun, rt=Runtime(aliyun, rt.engine, rt.sessions, rt.provider))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def alice(aliyun_app: Flask, rt: Runtime) -> StaffClient:
    return staff_client(aliyun_app, rt, "alice")


def staff_replies(rt: Runtime, app_id: int) -> list[Message]:
    with rt.sessions() as session:
        query = select(Message).where(col(Message.application_id) == app_id, col(Message.kind) == "staff_reply")
        return list(session.execute(query).scalars())


def reply_audit(rt: Runtime, app_id: int) -> list[dict]:
    with rt.sessions() as session:
        query = select(AuditEvent).where(col(AuditEvent.application_id) == app_id, col(AuditEvent.action) == "reply")
        return [event.after or {} for event in session.execute(query).scalars()]


def test_the_shipped_file_has_staff_templates_in_both_languages() -> None:
    catalogue = load_catalogue()
    names = catalogue.staff_template_names()
    assert {"staff_call_back", "staff_call_hotline", "staff_details_corrected"} <= set(names)
    for name in names:
        assert catalogue.entry(name, "zh").text != catalogue.entry(name, "en").text


def test_the_page_offers_staff_templates_and_no_free_text(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    page = alice.page(case["id"])
    assert 'id="template-staff_call_back"' in page and 'name="blank_call_time"' in page
    assert 'id="template-staff_call_hotline"' in page and 'id="template-staff_details_corrected"' in page
    assert 'id="reply-form"' not in page and 'id="canned"' not in page
    assert "张*您好，客服将于[call_time]致电您" in page  # the applicant's language, facts filled, blank shown


def test_preview_then_send_queues_exactly_the_previewed_text(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client)
    form = {"template": "staff_call_back", "blank_call_time": "今天下午3点"}
    preview = alice.act(case["id"], "template_reply", step="preview", **form)
    assert preview.status_code == 200
    text = (
        "【示例农商银行】张*您好，客服将于今天下午3点致电您核对贷款申请，请留意来电。"
        "本行不会索要密码或要求转账。客服95XXX"
    )
    assert f'id="preview-text">{text}<' in preview.get_data(as_text=True)
    assert staff_replies(rt, case["id"]) == []  # a preview sends nothing
    assert alice.act(case["id"], "template_reply", step="send", **form).status_code == 303
    [message] = staff_replies(rt, case["id"])
    assert (message.body, message.status) == (text, "queued")
    [audit] = reply_audit(rt, case["id"])
    assert audit == {"message_id": message.id, "template": "staff_call_back", "params": {"call_time": "今天下午3点"}}
    if "template" in Message.__table__.c:  # type: ignore[attr-defined]
        stored = message.template, json.loads(message.template_params)  # type: ignore[attr-defined]
        assert stored == ("staff_call_back", {"call_time": "今天下午3点", "hotline": "95XXX", "name": "张*"})


def test_a_template_without_blanks_is_sent_in_english_to_an_english_applicant(
    client: FlaskClient, alice: StaffClient, rt: Runtime
) -> None:
    case = handed_off(client, "agent please", applicant={"locale": "en", "name": "Zhang San"})
    assert alice.act(case["id"], "template_reply", step="send", template="staff_call_hotline").status_code == 303
    [message] = staff_replies(rt, case["id"])
    assert message.body.startswith("ExampleBank: Zhang*, please call our official helpline 95XXX")


@pytest.mark.parametrize(
    ("form", "words"),
    [
        ({"template": "notice"}, "not a staff template"),
        ({"template": "staff_nonexistent"}, "not a staff template"),
        ({"template": "staff_call_back"}, "Fill in “When we will call” first."),
        ({"template": "staff_call_back", "blank_call_time": "   "}, "Fill in “When we will call” first."),
        ({"template": "staff_call_back", "blank_call_time": "x" * 31}, "too long (at most 30 characters)"),
        ({"template": "staff_call_back", "blank_call_time": "明天\x00"}, "control"),
        ({"template": "staff_details_corrected", "blank_detail": "加微信领取"}, "looks like a scam"),
        ({"template": "staff_details_corrected", "blank_detail": "13912345678"}, "looks like a scam"),
        ({"template": "staff_details_corrected", "blank_detail": "立案"}, "looks like a scam"),
    ],
)
def test_a_bad_template_reply_is_refused_says_why_and_sends_nothing(
    client: FlaskClient, alice: StaffClient, rt: Runtime, form: dict[str, str], words: str
) -> None:
    case = handed_off(client)
    for step in ("preview", "send"):
        response = alice.act(case["id"], "template_reply", step=step, **form)
        assert response.status_code == 422, step
        assert words in response.get_data(as_text=True)
    assert staff_replies(rt, case["id"]) == []
    assert reply_audit(rt, case["id"]) == []


def test_free_text_is_refused_on_this_backend(client: FlaskClient, alice: StaffClient, rt: Runtime) -> None:
    case = handed_off(client)
    response = alice.act(case["id"], "reply", body="We will call you today.")
    assert response.status_code == 422
    assert "approved templates only" in response.get_data(as_text=True)
    assert staff_replies(rt, case["id"]) == []


def test_nothing_goes_to_a_phone_that_opted_out(client: FlaskClient, alice: StaffClient, rt: Runtime) -> None:
    case = handed_off(client)
    assert send_sms(client, case["applicant"]["phone"], "退订").status_code == 200
    assert application(client, case["id"])["state"] == "opted_out"
    response = alice.act(case["id"], "template_reply", step="send", template="staff_call_hotline")
    assert response.status_code == 409
    assert staff_replies(rt, case["id"]) == []


def test_the_gateway_parameters_are_every_placeholder_but_the_signature(settings: Settings, rt: Runtime) -> None:
    app = Application(
        external_id="e",
        name="李四",
        phone="+8613800000000",
        locale="zh-CN",
        amount_minor=5_000_000,
        currency="CNY",
        submitted_at=datetime(2026, 8, 3, tzinfo=UTC),
    )
    reply = fill_template(app, "staff_details_corrected", {"detail": "申请金额"}, settings=settings)
    assert isinstance(reply, TemplateReply)
    assert reply.params == {"detail": "申请金额", "hotline": "95XXX", "name": "李*"}
    assert reply.body == "【示例农商银行】李*您好，您贷款申请中的申请金额已更正，更正后的申请信息将另行发送。客服95XXX"
