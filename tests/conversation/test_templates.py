"""The templates file: the shipped one passes the check, bad ones are refused by name, variants are stable."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from smsbot.app import create_app
from smsbot.cli import main
from smsbot.config import load_settings
from smsbot.conversation.catalogue import DEFAULT_FILE, load_catalogue

NOTICE_B_ZH = "{sig}{name}您好，您{when}的{amount}贷款申请已提交，正在审核。无误回1，需更正回2。客服{hotline}，回T退订"
NOTICE_B_EN = (
    "{sig}{name}, we have your application for {amount} ({when}). "
    "Reply 1 if correct, 2 to correct. Help {hotline}. STOP to opt out"
)
REMINDER_B_ZH = "{sig}{name}您好，请核对您的贷款申请：无误回1，需更正回2。如非本人申请请致电{hotline}。回T退订"


def templates_file(tmp_path: Path, extra: str, name: str = "templates.toml") -> Path:
    """The shipped file with `extra` tables appended (TOML lets a later table add keys, not redefine them)."""
    path = tmp_path / name
    path.write_text(DEFAULT_FILE.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return path


def variant(key: str, zh: str, en: str, weight: int = 1) -> str:
    return f'["{key}"]\nweight = {weight}\nzh.text = "{zh}"\nen.text = "{en}"\n'


def test_the_shipped_file_passes_the_check_and_prints_encoding_and_segments() -> None:
    result = CliRunner().invoke(main, ["templates", "check", str(DEFAULT_FILE)])
    assert result.exit_code == 0, result.output
    assert "notice (zh): UCS-2, 64 chars, 1 segment(s): ok" in result.output
    assert "notice (en): GSM-7" in result.output


def test_the_check_refuses_each_bad_variant_by_name_and_reason(tmp_path: Path) -> None:
    bad = (
        variant(
            "notice.scam", "{sig}{name}您好，您的贷款已立案。无误回1，需更正回2。客服{hotline}，回T退订", NOTICE_B_EN
        )
        + variant(
            "notice.link",
            NOTICE_B_ZH,
            "{sig}{name}, see www.pay-loan.top. Reply 1 or 2. Help {hotline}. STOP to opt out",
        )
        + variant("notice.nokey", "{sig}{name}您好，您的{amount}贷款申请已受理。客服{hotline}，回T退订", NOTICE_B_EN)
        + variant(
            "notice.odd",
            NOTICE_B_ZH,
            "{sig}{name} {iban}. Reply 1 if correct, 2 to correct. Help {hotline}. STOP to opt out",
        )
    )
    result = CliRunner().invoke(main, ["templates", "check", str(templates_file(tmp_path, bad))])
    assert result.exit_code != 0
    assert "notice.scam (zh): UCS-2" in result.output and "refused: forbidden word 立案" in result.output
    assert "notice.link (en): -: refused" not in result.output  # linted after rendering, so it is measured
    assert any(
        line.startswith("notice.link (en):") and "contains a link" in line for line in result.output.splitlines()
    )
    assert "notice.nokey (zh): -: refused: drops 回1 that notice has; drops 回2 that notice has" in result.output
    assert "notice.odd (en): -: refused: unknown placeholder {iban}" in result.output
    assert "notice.scam (en): UCS-2" not in result.output  # the English side of that variant is clean
    assert "4 template(s) refused" in result.output


def test_aliyun_fields_are_parsed_and_their_params_must_be_known_placeholders(tmp_path: Path) -> None:
    extra = (
        '["notice.x"]\nzh.text = "' + NOTICE_B_ZH + '"\nzh.aliyun_code = "SMS_1"\nzh.aliyun_params = ["name", "pin"]\n'
    )
    extra += 'en.text = "' + NOTICE_B_EN + '"\n'
    path = templates_file(tmp_path, extra)
    entry = load_catalogue(str(path)).entries[("notice", "x", "zh")]
    assert (entry.aliyun_code, entry.aliyun_params) == ("SMS_1", ("name", "pin"))
    result = CliRunner().invoke(main, ["templates", "check", str(path)])
    assert "notice.x (zh): -: refused: aliyun_params names unknown placeholder pin" in result.output


def test_the_app_and_the_worker_refuse_to_start_on_a_bad_file_naming_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = templates_file(tmp_path, variant("reminder.b", "{sig}请点击 t.cn/abc 回1 回2 {hotline} 回T退订", "x"))
    monkeypatch.setenv("SMSBOT_TEMPLATES_FILE", str(path))
    with pytest.raises(ValidationError, match=r"template reminder\.b \(zh\): contains a link"):
        create_app()
    result = CliRunner().invoke(main, ["worker"])
    assert result.exit_code != 0
    assert "cannot start: SMSBOT_TEMPLATES_FILE: template reminder.b (zh): contains a link" in result.output


def test_a_missing_templates_file_stops_the_start() -> None:
    with pytest.raises(ValidationError, match=r"SMSBOT_TEMPLATES_FILE: templates file nowhere\.toml"):
        load_settings(templates_file="/nonexistent/nowhere.toml")


def test_variants_are_assigned_by_external_id_and_follow_the_weights(tmp_path: Path) -> None:
    extra = variant("notice.a", NOTICE_B_ZH, NOTICE_B_EN, weight=1) + variant(
        "notice.b", NOTICE_B_ZH, NOTICE_B_EN, weight=3
    )
    catalogue = load_catalogue(str(templates_file(tmp_path, extra)))
    ids = [f"loan-{n}" for n in range(4000)]
    first = [catalogue.assign_variant(i) for i in ids]
    assert first == [catalogue.assign_variant(i) for i in ids]
    counts = Counter(first)
    assert set(counts) == {"a", "b"}
    assert 900 <= counts["a"] <= 1100, counts  # a quarter of 4,000, give or take a few standard deviations
    assert load_catalogue().assign_variant("loan-1") is None  # the shipped file has no variants


def test_a_file_without_a_template_smsbot_sends_is_refused(tmp_path: Path) -> None:
    shipped = DEFAULT_FILE.read_text(encoding="utf-8")
    path = tmp_path / "short.toml"
    path.write_text(shipped.split("[help]")[0] + "[reminder]" + shipped.split("[reminder]")[1], encoding="utf-8")
    result = CliRunner().invoke(main, ["templates", "check", str(path)])
    assert result.exit_code != 0
    assert "help: missing (every shipped template must be present): refused" in result.output
    with pytest.raises(ValidationError, match="template help: missing"):
        load_settings(templates_file=str(path))
