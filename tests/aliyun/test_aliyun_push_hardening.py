"""What the push URLs hold against: the same push delivered twice at once, logs that would leak the token or
an applicant's data, a production start with a guessable token."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from smsbot.config import MIN_SECRET_CHARS, Settings, _refuse_short_callback_token
from smsbot.logs import mask_text
from smsbot.models import GatewayPush, Message
from states.conversation_states import State
from tests.aliyun.conftest import CALLBACK_TOKEN, Served
from tests.aliyun_push import push_replies, reply_element

RECEIVED = {"code": 0, "msg": "接收成功"}


def test_the_same_push_delivered_twice_at_once_is_acted_on_once(served: Served) -> None:
    applications = [served.file() for _ in range(3)]
    batch = [reply_element(filed["applicant"]["phone"], "2") for filed in applications]
    answers: list[object] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        start.wait()
        answers.append(push_replies(served.sms_up, batch).json())

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [RECEIVED] * 4
    for filed in applications:
        got = served.application(filed["id"])
        assert got["state"] == State.AWAITING_CORRECTION_FIELD  # a second "2" would have chosen the amount
        assert [m["kind"] for m in got["messages"]].count("reply") == 1
    with served.rt.sessions() as session:
        assert session.execute(select(func.count()).select_from(GatewayPush)).scalar_one() == 3
        inbound = select(func.count()).select_from(Message).where(col(Message.provider_sid).like("aliyun-up:%"))
        assert session.execute(inbound).scalar_one() == 3


def test_a_refused_element_is_logged_without_its_contents(served: Served, caplog: pytest.LogCaptureFixture) -> None:
    filed = served.file()
    phone = filed["applicant"]["phone"]
    with caplog.at_level(logging.INFO):
        push_replies(served.sms_up, [reply_element(phone, "秘密内容\x00") | {"sign_name": 5}])
    [line] = [r.getMessage() for r in caplog.records if r.name == "smsbot.web.aliyun_webhooks"]
    assert line == "aliyun sms_up push: element 1 of 1 refused"
    logged = "\n".join(mask_text(r.getMessage()) for r in caplog.records)  # as the handlers' filter writes it
    assert "/webhooks/aliyun/sms-up/(hidden)" in logged  # werkzeug's request line
    assert CALLBACK_TOKEN not in logged and "秘密内容" not in logged and phone.removeprefix("+86") not in logged
    assert served.application(filed["id"])["state"] == State.AWAITING_CONFIRMATION


def test_production_refuses_a_short_callback_token_on_the_aliyun_backend(settings: Settings) -> None:
    short = settings.model_copy(update={"sms_backend": "aliyun", "callback_token": "x" * (MIN_SECRET_CHARS - 1)})
    with pytest.raises(ValueError, match="SMSBOT_CALLBACK_TOKEN must be at least 32 characters"):
        _refuse_short_callback_token(short)
    _refuse_short_callback_token(short.model_copy(update={"callback_token": "x" * MIN_SECRET_CHARS}))
    _refuse_short_callback_token(short.model_copy(update={"sms_backend": "twilio", "callback_token": ""}))
