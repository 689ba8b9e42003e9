"""A staff template reply in a real browser, on the aliyun backend: the inbox offers staff templates instead of
free text, the blanks are filled, the preview is the exact text, and sending it queues that text."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlmodel import col

from smsbot.app import create_app
from smsbot.config import Settings
from smsbot.dependencies import Runtime
from smsbot.models import AuditEvent, Message
from tests.browser.test_inbox_browser import contexts, escalate, staff_page
from tests.staff_factories import make_staff

__all__ = ["contexts"]  # the fixture, shared with the inbox's browser tests
SCREENSHOTS = Path(os.environ.get("SMSBOT_SCREENSHOTS", "")) if os.environ.get("SMSBOT_SCREENSHOTS") else None


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def live_app(settings: Settings, rt: Runtime) -> Flask:
    """The inbox as a lender on the mainland gateway sees it (plain http on 127.0.0.1)."""
    aliyun = settings.model_copy(update={"public_url": "http://127.0.0.1", "sms_backend": "aliyun"})
    app = create_app(aliyun, rt=Runtime(aliyun, rt.engine, rt.sessions, rt.provider))
    app.config["STAFF_POLL_SECONDS"] = 1
    return app


def test_a_staff_template_reply_is_previewed_then_sent(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime, tmp_path: Path
) -> None:
    case = escalate(api, "转人工")
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.goto(f"{base_url}/staff/c/{case['id']}")
    assert page.locator("#reply-form").count() == 0  # no free text on this backend
    form = page.locator("#template-staff_call_back")
    assert "[call_time]" in form.locator(".outline").inner_text()
    form.locator('input[name="blank_call_time"]').fill("明天上午10点")
    form.locator('button[data-action="preview"]').click()
    preview = page.locator("#template-preview")
    preview.wait_for()
    text = (
        "【示例农商银行】张*您好，客服将于明天上午10点致电您核对贷款申请，请留意来电。"
        "本行不会索要密码或要求转账。客服95XXX"
    )
    assert page.locator("#preview-text").inner_text() == text
    assert "staff_call_back" in preview.locator("h3").inner_text()
    assert "UCS-2" in page.locator("#preview-counter").inner_text()
    page.screenshot(path=str((SCREENSHOTS or tmp_path) / "template-reply-preview.png"), full_page=True)
    preview.locator('button[data-action="send-template"]').click()
    page.wait_for_selector("text=Done.")
    assert page.locator("#timeline").get_by_text(text, exact=True).count() == 1
    page.screenshot(path=str((SCREENSHOTS or tmp_path) / "template-reply-sent.png"), full_page=True)
    with rt.sessions() as session:
        query = select(Message).where(col(Message.application_id) == case["id"], col(Message.kind) == "staff_reply")
        [message] = session.execute(query).scalars()
        audit = session.execute(select(AuditEvent).where(col(AuditEvent.action) == "reply")).scalar_one()
    assert message.body == text
    assert audit.after == {
        "message_id": message.id,
        "template": "staff_call_back",
        "params": {"call_time": "明天上午10点"},
    }
    assert page.errors == []
