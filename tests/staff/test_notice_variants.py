"""A notice variant assigned at filing is stored, and the corrected notice and the reminder follow it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from smsbot.config import Settings
from smsbot.conversation.reminders import fire_due_timers
from smsbot.dependencies import Runtime
from smsbot.models import utcnow
from tests.conversation.test_templates import NOTICE_B_EN, NOTICE_B_ZH, REMINDER_B_ZH, templates_file, variant
from tests.delivery.helpers import application_row, drain, outbound
from tests.factories import application, file
from tests.staff_factories import StaffClient, handed_off, staff_client


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """Every filing gets variant b (the only one), whose notice and reminder are worded apart from the base."""
    extra = variant("notice.b", NOTICE_B_ZH, NOTICE_B_EN) + variant("reminder.b", REMINDER_B_ZH, "unused")
    return settings.model_copy(update={"templates_file": str(templates_file(tmp_path, extra))})


@pytest.fixture
def alice(app: Flask, rt: Runtime) -> StaffClient:
    return staff_client(app, rt, "alice")


def test_the_variant_is_stored_at_filing_and_worded_in_the_notice(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    assert application_row(rt, app["id"]).notice_variant == "b"
    [notice] = outbound(rt, app["applicant"]["phone"])
    facts = {"sig": "【示例农商银行】", "name": "张*", "when": "8月3日10:15", "amount": "5万元", "hotline": "95XXX"}
    assert notice.body == NOTICE_B_ZH.format(**facts)


def test_a_corrected_notice_keeps_the_variant(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client, "2", "2", "60000")
    [correction] = case["corrections"]
    alice.act(case["id"], "apply_correction", field="amount", value="60000", correction_id=str(correction["id"]))
    notices = [m["body"] for m in application(client, case["id"])["messages"] if m["kind"] == "notice"]
    assert len(notices) == 2
    assert "6万元贷款申请已提交，正在审核" in notices[-1]


def test_the_reminder_follows_the_variant(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    drain(rt)  # the notice went out: its reminder follows
    assert fire_due_timers(rt.sessions, settings=rt.settings, now=utcnow() + timedelta(days=1, minutes=1)) == 1
    reminder = outbound(rt, app["applicant"]["phone"])[-1]
    assert reminder.body == REMINDER_B_ZH.format(sig="【示例农商银行】", name="张*", hotline="95XXX")
