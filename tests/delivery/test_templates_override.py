"""SMSBOT_TEMPLATES_FILE changes the text Twilio is actually asked to send."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from smsbot.dependencies import Runtime
from tests.delivery.helpers import drain
from tests.factories import file
from tests.twilio_standin import TwilioStandIn

OVERRIDE_ZH = (
    'zh.text = "{sig}{name}您好，您{amount}的贷款申请已收到，审核中。无误回1，需更正回2。客服{hotline}，回T退订"'
)


def test_an_override_file_changes_the_notice_posted_to_twilio(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, tmp_path: Path
) -> None:
    shipped = (Path(__file__).parents[2] / "smsbot/conversation/templates.toml").read_text(encoding="utf-8")
    notice_zh = next(line for line in shipped.splitlines() if line.startswith("zh.text") and "{when}" in line)
    path = tmp_path / "lender.toml"
    path.write_text(shipped.replace(notice_zh, OVERRIDE_ZH), encoding="utf-8")
    trt.settings.templates_file = str(path)
    file(live_app.test_client())
    assert drain(trt) == 1
    [request] = standin.requests()
    assert (
        request["form"]["Body"]
        == "【示例农商银行】张*您好，您5万元的贷款申请已收到，审核中。无误回1，需更正回2。客服95XXX，回T退订"
    )
