"""SMSBOT_SIGNATURE as operators write it: with or without 【】, one name or `中文|English`."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import ValidationError

from smsbot.config import Settings, load_settings
from smsbot.conversation.texts import render_text, signature_prefix
from smsbot.dependencies import Runtime
from smsbot.models import Application
from smsbot.staff.actions import reply_prefix
from smsbot.staff.canned import canned_replies
from tests.factories import application, file
from tests.staff_factories import staff_client

BRACKETED = "【示例农商银行】|ExampleBank"


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        ("示例农商银行|ExampleBank", "【示例农商银行】", "ExampleBank: "),
        ("【示例农商银行】|ExampleBank", "【示例农商银行】", "ExampleBank: "),
        (" 【示例农商银行】 | ExampleBank ", "【示例农商银行】", "ExampleBank: "),
        ("【示例农商银行】", "【示例农商银行】", "示例农商银行: "),
        ("示例农商银行", "【示例农商银行】", "示例农商银行: "),
    ],
)
def test_the_signature_is_bracketed_once_however_it_is_written(written: str, zh: str, en: str) -> None:
    settings = load_settings(signature=written)
    assert signature_prefix("zh-CN", settings.signature_for("zh-CN")) == zh
    assert signature_prefix("en", settings.signature_for("en")) == en
    assert reply_prefix("zh-CN", settings) == zh and reply_prefix("en", settings) == en


@pytest.mark.parametrize("written", ["【】", "|ExampleBank", "示例【农商】银行", "【示例农商银行】】", "a|b|c"])
def test_a_signature_that_cannot_name_the_lender_stops_the_start(written: str) -> None:
    with pytest.raises(ValidationError, match="SMSBOT_SIGNATURE"):
        load_settings(signature=written)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return load_settings(**{**settings.model_dump(), "signature": BRACKETED})


def test_a_bracketed_signature_starts_every_text_once(client: FlaskClient, settings: Settings) -> None:
    notice = application(client, file(client)["id"])["messages"][0]["body"]
    assert notice.startswith("【示例农商银行】张*") and "【【" not in notice
    text = render_text("help", locale="zh-CN", signature=settings.signature_for("zh-CN"), hotline="95XXX").body
    assert text.startswith("【示例农商银行】此为") and text.count("【") == 1


def test_a_bracketed_signature_lets_a_normal_staff_reply_through(
    app: Flask, client: FlaskClient, rt: Runtime, settings: Settings
) -> None:
    from tests.staff_factories import handed_off

    alice = staff_client(app, rt, "alice")
    case = handed_off(client)
    assert alice.act(case["id"], "reply", body="您好，我们已收到，稍后联系您。").status_code == 303
    replies = [m for m in application(client, case["id"])["messages"] if m["kind"] == "staff_reply"]
    assert [m["body"] for m in replies] == ["【示例农商银行】您好，我们已收到，稍后联系您。"]
    with rt.sessions() as session:
        found = session.get(Application, case["id"])
        assert found is not None
        texts = [c.text for c in canned_replies(found, settings)]
    assert texts and not any("【" in text or "】" in text for text in texts)
