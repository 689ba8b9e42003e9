"""The gateway's pushes over real HTTP, on SQLite and PostgreSQL: the whole conversation driven by SmsUp pushes,
duplicates acted on once, malformed elements stored and reported beside good ones, wrong tokens and bodies
refused without a trace, delivery reports applied forward only."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, update
from sqlmodel import col

from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.delivery.status_callbacks import apply_early_callbacks
from smsbot.dependencies import Runtime
from smsbot.models import OUTBOUND, DeliveryEvent, GatewayPush, Message
from states.conversation_states import HandoffReason, State
from tests.aliyun.conftest import CALLBACK_TOKEN, Served, serve
from tests.aliyun_push import push_replies, push_reports, reply_element, report_element

RECEIVED = {"code": 0, "msg": "接收成功"}


def reply(served: Served, phone: str, *texts: str) -> None:
    """Each text in a push of its own, answered with the gateway's success answer."""
    for text in texts:
        response = push_replies(served.sms_up, [reply_element(phone, text)])
        assert response.status_code == 200, response.text
        assert response.json() == RECEIVED


def outbound(served: Served, app_id: int) -> list[dict[str, Any]]:
    return [m for m in served.application(app_id)["messages"] if m["direction"] == OUTBOUND]


def counts(rt: Runtime) -> tuple[int, int, int]:
    """Messages, stored push elements, delivery events."""
    with rt.sessions() as session:
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Message, GatewayPush, DeliveryEvent)
        )


def test_one_confirms(served: Served) -> None:
    filed = served.file()
    reply(served, filed["applicant"]["phone"], "1")
    got = served.application(filed["id"])
    assert got["state"] == State.CONFIRMED
    assert [m["kind"] for m in outbound(served, filed["id"])][-1] == "confirmation_received"


def test_two_then_field_then_value_reaches_a_person_with_the_correction(served: Served) -> None:
    filed = served.file()
    phone = filed["applicant"]["phone"]
    reply(served, phone, "2")
    assert served.application(filed["id"])["state"] == State.AWAITING_CORRECTION_FIELD
    reply(served, phone, "2")
    assert served.application(filed["id"])["state"] == State.AWAITING_CORRECTION_VALUE
    reply(served, phone, "60000")
    got = served.application(filed["id"])
    assert (got["state"], got["handoff_reason"]) == (State.HANDED_OFF, HandoffReason.CORRECTION)
    kinds = [m["kind"] for m in outbound(served, filed["id"])]
    assert kinds[-3:] == ["field_menu", "value_prompt_amount", "correction_received"]
    assert "60000" in got["messages"][-2]["body"] or any("60000" in m["body"] for m in got["messages"])


def test_unsubscribe_opts_out_and_nothing_more_is_sent(served: Served) -> None:
    filed = served.file()
    phone = filed["applicant"]["phone"]
    reply(served, phone, "退订")
    assert served.application(filed["id"])["state"] == State.OPTED_OUT
    before = outbound(served, filed["id"])
    assert before[-1]["kind"] == "opt_out_confirmation"
    reply(served, phone, "1", "帮助", "人工")
    assert outbound(served, filed["id"]) == before
    assert served.application(filed["id"])["state"] == State.OPTED_OUT


def test_help_is_answered_and_a_person_is_handed_the_conversation_on_request(served: Served) -> None:
    filed = served.file()
    phone = filed["applicant"]["phone"]
    reply(served, phone, "帮助")
    assert outbound(served, filed["id"])[-1]["kind"] == "help"
    assert served.application(filed["id"])["state"] == State.AWAITING_CONFIRMATION
    reply(served, phone, "转人工")
    got = served.application(filed["id"])
    assert (got["state"], got["handoff_reason"]) == (State.HANDED_OFF, HandoffReason.HUMAN_REQUESTED)


def test_a_duplicated_push_is_acted_on_once(served: Served) -> None:
    filed = served.file()
    phone = filed["applicant"]["phone"]
    twice = reply_element(phone, "2")
    assert push_replies(served.sms_up, [twice, twice]).json() == RECEIVED
    assert push_replies(served.sms_up, [dict(twice, sequence_id=str(twice["sequence_id"]))]).json() == RECEIVED
    got = served.application(filed["id"])
    assert got["state"] == State.AWAITING_CORRECTION_FIELD  # a second "2" would have picked the amount
    assert [m["kind"] for m in got["messages"]].count("reply") == 1
    assert [m["kind"] for m in got["messages"]].count("field_menu") == 1
    with served.rt.sessions() as session:
        assert session.execute(select(func.count()).select_from(GatewayPush)).scalar_one() == 1


def test_a_malformed_element_is_stored_and_reported_and_the_others_are_processed(served: Served) -> None:
    first, second = served.file(), served.file()
    good = [reply_element(first["applicant"]["phone"], "1"), reply_element(second["applicant"]["phone"], "退订")]
    bad: list[Any] = [
        "not an object",
        {k: v for k, v in reply_element(first["applicant"]["phone"], "1").items() if k != "sequence_id"},
        reply_element(first["applicant"]["phone"], "1") | {"phone_number": "12345"},
        reply_element(first["applicant"]["phone"], "1") | {"content": 1},
        reply_element(first["applicant"]["phone"], "T\x00"),
        reply_element(first["applicant"]["phone"], "1" * 2000),
        reply_element(first["applicant"]["phone"], "1") | {"sequence_id": True},
    ]
    response = push_replies(served.sms_up, [bad[0], good[0], *bad[1:], good[1]])
    assert (response.status_code, response.json()) == (200, RECEIVED)
    assert served.application(first["id"])["state"] == State.CONFIRMED
    assert served.application(second["id"])["state"] == State.OPTED_OUT
    with served.rt.sessions() as session:
        stored = session.execute(select(GatewayPush).order_by(col(GatewayPush.id))).scalars().all()
    problems = [row.problem for row in stored if row.problem]
    assert problems == [
        "not_an_object",
        "missing_sequence_id",
        "phone_number_invalid",
        "content_not_text",
        "content_control_characters",
        "content_too_long",
        "sequence_id_not_a_number",
    ]
    assert json.loads(next(row.payload for row in stored if row.problem == "content_control_characters"))[
        "content"
    ] == ("T\x00")
    metrics = requests.get(f"{served.base_url}/metrics", timeout=30).text
    assert 'smsbot_gateway_push_malformed_total{kind="sms_up",problem="content_control_characters"} 1.0' in metrics
    assert 'smsbot_gateway_push_elements_total{kind="sms_up",result="malformed"} 7.0' in metrics


@pytest.mark.parametrize("route", ["sms-up", "sms-report"])
def test_a_wrong_or_missing_token_is_404_and_stores_nothing(
    served: Served, aliyun_settings: Settings, rt: Runtime, route: str
) -> None:
    filed = served.file()
    phone = filed["applicant"]["phone"]
    before = counts(served.rt)
    for token in (CALLBACK_TOKEN[:-1], CALLBACK_TOKEN + "x", "x", CALLBACK_TOKEN.upper()):
        response = push_replies(f"{served.base_url}/webhooks/aliyun/{route}/{token}", [reply_element(phone, "1")])
        assert response.status_code == 404
    assert counts(served.rt) == before
    without = aliyun_settings.model_copy(update={"callback_token": ""})
    for other in serve(without, rt):
        response = push_replies(
            f"{other.base_url}/webhooks/aliyun/{route}/{CALLBACK_TOKEN}", [reply_element(phone, "1")]
        )
        assert response.status_code == 404
    assert counts(served.rt) == before
    assert served.application(filed["id"])["state"] == State.AWAITING_CONFIRMATION


@pytest.mark.parametrize("route", ["sms-up", "sms-report"])
@pytest.mark.parametrize(
    "body", [b'{"phone_number": "13800138000"}', b"not json", b"", b"\xff\xfe[]", b"null", b'"[]"']
)
def test_a_body_that_is_not_a_json_array_is_400_and_changes_nothing(served: Served, route: str, body: bytes) -> None:
    before = counts(served.rt)
    url = f"{served.base_url}/webhooks/aliyun/{route}/{CALLBACK_TOKEN}"
    response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400
    assert "JSON array" in response.json()["msg"]
    assert counts(served.rt) == before


def test_an_oversized_push_is_refused_whole(served: Served) -> None:
    filed = served.file()
    before = counts(served.rt)
    elements = [reply_element(filed["applicant"]["phone"], "1" * 1000) for _ in range(300)]
    assert push_replies(served.sms_up, elements).status_code == 413
    assert counts(served.rt) == before


def sent_notice(served: Served, biz_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An application whose notice the gateway accepted (as the send side records it: accepted, aliyun:<BizId>)."""
    filed = served.file()
    notice = outbound(served, filed["id"])[0]
    with transaction(served.rt.sessions) as session:
        session.execute(
            update(Message)
            .where(col(Message.id) == notice["id"])
            .values(status="accepted", provider_sid=f"aliyun:{biz_id}")
        )
    return filed, notice


def status_of(served: Served, app_id: int, message_id: int) -> tuple[str, str | None]:
    message = next(m for m in served.application(app_id)["messages"] if m["id"] == message_id)
    return message["status"], message["error_code"]


def test_reports_move_statuses_forward_only_whatever_their_order(served: Served) -> None:
    filed, notice = sent_notice(served, "700001^0")
    phone = filed["applicant"]["phone"]
    delivered = report_element(phone, success=True, biz_id="700001^0", out_id=notice["id"])
    assert push_reports(served.sms_report, [delivered]).json() == RECEIVED
    assert status_of(served, filed["id"], notice["id"]) == ("delivered", None)
    # The same report again, and a contradicting late one: neither moves it back nor hands anything off.
    late_failure = report_element(phone, success=False, biz_id="700001^0", out_id=notice["id"], err_code="MK:0001")
    assert push_reports(served.sms_report, [delivered, late_failure]).json() == RECEIVED
    assert status_of(served, filed["id"], notice["id"]) == ("delivered", None)
    assert served.application(filed["id"])["state"] == State.AWAITING_CONFIRMATION
    with served.rt.sessions() as session:
        assert session.execute(select(func.count()).select_from(DeliveryEvent)).scalar_one() == 1


def test_a_failure_report_matched_by_biz_id_and_phone_stores_its_code_and_reaches_a_person(served: Served) -> None:
    filed, notice = sent_notice(served, "700002^0")
    phone = filed["applicant"]["phone"]
    other_phone = served.file()["applicant"]["phone"]
    stranger = report_element(other_phone, success=False, biz_id="700002^0", err_code="MK:0001")
    failed = report_element(phone, success=False, biz_id="700002^0", err_code="MK:0001")
    assert push_reports(served.sms_report, [stranger]).json() == RECEIVED  # same biz id, another phone
    assert status_of(served, filed["id"], notice["id"]) == ("accepted", None)
    assert push_reports(served.sms_report, [failed]).json() == RECEIVED
    assert status_of(served, filed["id"], notice["id"]) == ("undelivered", "MK:0001")
    got = served.application(filed["id"])
    assert (got["state"], got["handoff_reason"]) == (State.HANDED_OFF, HandoffReason.DELIVERY_FAILED)
    success_after = report_element(phone, success=True, biz_id="700002^1")  # another biz id: unknown, kept
    assert push_reports(served.sms_report, [success_after]).json() == RECEIVED
    assert status_of(served, filed["id"], notice["id"]) == ("undelivered", "MK:0001")


def test_a_report_before_the_send_is_recorded_waits_for_it(served: Served) -> None:
    filed = served.file()
    notice = outbound(served, filed["id"])[0]
    with transaction(served.rt.sessions) as session:
        session.execute(update(Message).where(col(Message.id) == notice["id"]).values(status="sending"))
    early = report_element(filed["applicant"]["phone"], success=True, biz_id="700003^0", out_id=notice["id"])
    assert push_reports(served.sms_report, [early]).json() == RECEIVED
    assert status_of(served, filed["id"], notice["id"]) == ("sending", None)
    with transaction(served.rt.sessions) as session:  # the worker records the send, then replays what came first
        session.execute(
            update(Message)
            .where(col(Message.id) == notice["id"])
            .values(status="accepted", provider_sid="aliyun:700003^0")
        )
        apply_early_callbacks(session, {"aliyun:700003^0": notice["id"]})
    assert status_of(served, filed["id"], notice["id"]) == ("delivered", None)


def test_a_malformed_report_is_stored_beside_good_ones(served: Served) -> None:
    filed, notice = sent_notice(served, "700004^0")
    phone = filed["applicant"]["phone"]
    good = report_element(phone, success=True, biz_id="700004^0", out_id=notice["id"])
    bad = [
        report_element(phone, success=True, biz_id="700004^0") | {"success": "true"},
        report_element(phone, success=True) | {"biz_id": ""},
        report_element(phone, success=True) | {"phone_number": None},
        report_element(phone, success=True) | {"biz_id": "x" * 100},
    ]
    response = push_reports(served.sms_report, [*bad[:2], good, *bad[2:]])
    assert (response.status_code, response.json()) == (200, RECEIVED)
    assert status_of(served, filed["id"], notice["id"]) == ("delivered", None)
    with served.rt.sessions() as session:
        problems = (
            session.execute(
                select(col(GatewayPush.problem))
                .where(col(GatewayPush.problem).is_not(None))
                .order_by(col(GatewayPush.id))
            )
            .scalars()
            .all()
        )
    assert problems == ["success_not_boolean", "empty_biz_id", "phone_number_not_text", "biz_id_too_long"]


def test_a_report_never_moves_a_message_that_was_not_sent(served: Served) -> None:
    filed = served.file()
    notice = outbound(served, filed["id"])[0]
    with transaction(served.rt.sessions) as session:
        session.execute(update(Message).where(col(Message.id) == notice["id"]).values(status="cancelled"))
    report = report_element(filed["applicant"]["phone"], success=True, biz_id="700005^0", out_id=notice["id"])
    assert push_reports(served.sms_report, [report]).json() == RECEIVED
    assert status_of(served, filed["id"], notice["id"]) == ("cancelled", None)
