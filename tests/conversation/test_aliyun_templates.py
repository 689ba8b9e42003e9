"""`smsbot templates check` for the mainland gateway: every template needs its approved code and parameters
for its placeholders, and is measured as the gateway counts (every character, the 【signature】 included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from smsbot.cli import main
from smsbot.config import load_settings
from smsbot.conversation.catalogue import DEFAULT_FILE
from smsbot.delivery.segments import measure_mainland
from tests.conversation.test_templates import NOTICE_B_EN, NOTICE_B_ZH, templates_file

ALIYUN = {
    "sms_backend": "aliyun",
    "aliyun_access_key_id": "LTAI-test",
    "aliyun_access_key_secret": "test-secret",
    "aliyun_sms_sign_name": "示例农商银行",
}


def gateway_variant(
    zh_extra: str = "",
    en_extra: str = 'en.aliyun_code = "SMS_2"\nen.aliyun_params = ["name", "amount", "when", "hotline"]\n',
) -> str:
    return f'["notice.b"]\nzh.text = "{NOTICE_B_ZH}"\n{zh_extra}en.text = "{NOTICE_B_EN}"\n{en_extra}'


def check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["templates", "check", *args])
    return result.exit_code, result.output


def test_the_shipped_file_has_a_gateway_code_for_every_template_and_prints_the_mainland_length() -> None:
    code, output = check(str(DEFAULT_FILE), "--backend", "aliyun")
    assert code == 0, output
    # 【示例农商银行】 is 8 characters and stands where {sig} was: the Chinese notice is 64 either way.
    assert "notice (zh): UCS-2, 64 chars, 1 segment(s); aliyun 64 chars, 1 part(s): ok" in output


def test_a_template_without_a_gateway_code_is_refused_by_name_only_for_the_gateway(tmp_path: Path) -> None:
    path = templates_file(tmp_path, gateway_variant())
    code, output = check(str(path), "--backend", "aliyun")
    assert code != 0
    assert "notice.b (zh): -: refused: no aliyun_code (the aliyun backend sends only approved templates)" in output
    assert "notice.b (en): GSM-7" in output and "1 template(s) refused" in output
    assert check(str(path))[0] == 0  # Twilio sends the text itself


def test_parameters_that_miss_a_placeholder_are_refused_naming_it(tmp_path: Path) -> None:
    zh = 'zh.aliyun_code = "SMS_1"\nzh.aliyun_params = ["name", "when", "amount"]\n'
    code, output = check(str(templates_file(tmp_path, gateway_variant(zh))), "--backend", "aliyun")
    assert code != 0
    assert "notice.b (zh): -: refused: aliyun_params lack {hotline}" in output


def test_the_aliyun_backend_refuses_to_start_on_a_file_the_gateway_cannot_send(tmp_path: Path) -> None:
    path = templates_file(tmp_path, gateway_variant())
    with pytest.raises(ValidationError, match=r"template notice\.b \(zh\): no aliyun_code"):
        load_settings(templates_file=str(path), **ALIYUN)
    load_settings(templates_file=str(path))  # the same file is fine for Twilio or the simulator


def test_the_aliyun_backend_needs_its_keys_and_sign_name() -> None:
    with pytest.raises(ValidationError, match="ALIYUN_ACCESS_KEY_SECRET, ALIYUN_SMS_SIGN_NAME"):
        load_settings(sms_backend="aliyun", aliyun_access_key_id="LTAI-test")


@pytest.mark.parametrize(("length", "parts"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_mainland_length_counts_every_character_once_70_then_67_per_part(length: int, parts: int) -> None:
    body = "【示例农商银行】" + "x" * (length - 8)
    assert (measure_mainland(body).characters, measure_mainland(body).segments) == (length, parts)


def test_production_starts_on_the_aliyun_backend_without_twilio_credentials(tmp_path: Path) -> None:
    secret = "x" * 40
    settings = load_settings(
        environment="production",
        secret_key=secret,
        api_token=secret,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **ALIYUN,
        **{"SMSBOT_CALLBACK_TOKEN": "y" * 40},  # the pushes' URL secret, which production asks for on this backend
    )
    assert settings.backend == "aliyun"
    assert settings.send_time_seconds == 2 * settings.aliyun_timeout_seconds + 1
