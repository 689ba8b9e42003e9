"""Sending through the official Alibaba Cloud SMS SDK to the local stand-in, over HTTP with verified
signatures: the template and its values, each class of error, and a send that timed out after the gateway
accepted it, reconciled without a second SendSms."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from smsbot.app import create_app
from smsbot.config import Settings, load_settings
from smsbot.conversation.texts import gateway_templates
from smsbot.delivery.providers.aliyun import RECONCILED, AliyunProvider
from smsbot.delivery.providers.base import HALT_SECONDS, OutboundSms, Outcome
from smsbot.dependencies import Runtime, build_runtime
from smsbot.metrics.sends import metered
from smsbot.models import SendAttempt, utcnow
from smsbot.worker import drain_once
from tests.aliyun_gateway import ACCESS_KEY_ID, ACCESS_KEY_SECRET, AliyunGateway
from tests.conversation.test_templates import NOTICE_B_EN, NOTICE_B_ZH, templates_file
from tests.delivery.conftest import PROJECT_ROOT
from tests.delivery.helpers import application_row, consent_row, outbound, wait_until
from tests.factories import file

SIGN_NAME = "示例农商银行"


@pytest.fixture
def gateway() -> Iterator[AliyunGateway]:
    with AliyunGateway() as running:
        yield running


def aliyun_settings(settings: Settings, gateway: AliyunGateway, **changes: object) -> Settings:
    return settings.model_copy(
        update={
            "sms_backend": "aliyun",
            "aliyun_access_key_id": ACCESS_KEY_ID,
            "aliyun_access_key_secret": ACCESS_KEY_SECRET,
            "aliyun_sms_sign_name": SIGN_NAME,
            "aliyun_sms_endpoint": gateway.base_url,
            "aliyun_timeout_seconds": 1.0,
        }
        | changes
    )


@pytest.fixture
def art(settings: Settings, gateway: AliyunGateway) -> Iterator[Runtime]:
    runtime = build_runtime(aliyun_settings(settings, gateway))
    yield runtime
    runtime.engine.dispose()


@pytest.fixture
def client(art: Runtime) -> FlaskClient:
    app: Flask = create_app(art.settings, rt=art)
    return app.test_client()


def drain(rt: Runtime, seconds_later: float = 0) -> int:
    """One pass of the worker's send path, through the metered provider the worker runs with."""
    now = utcnow() + timedelta(seconds=seconds_later) if seconds_later else None
    return drain_once(rt.sessions, metered(rt.provider, rt.metrics), settings=rt.settings, now=now)


def counted(rt: Runtime, name: str, **labels: str) -> float:
    return rt.metrics.registry.get_sample_value(name, labels) or 0.0


def test_a_notice_goes_out_as_its_approved_template_with_the_message_id_as_out_id(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway
) -> None:
    phone = file(client)["applicant"]["phone"]
    assert drain(art) == 1
    [sent] = gateway.sent
    [message] = outbound(art, phone)
    assert (sent.phone, sent.sign_name, sent.template_code) == (phone.removeprefix("+86"), SIGN_NAME, "SMS_000000001")
    assert sent.params == {"name": "张*", "when": "8月3日10:15", "amount": "5万元", "hotline": "95XXX"}
    assert sent.out_id == str(message.id)
    assert (message.status, message.provider_sid) == ("accepted", f"aliyun:{sent.biz_id}")
    assert message.template == "notice"
    assert json.loads(message.template_params or "{}")["name"] == "张*"
    assert counted(art, "smsbot_send_attempts_total", outcome="sent") == 1


def test_an_english_applicant_gets_the_english_template(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway
) -> None:
    file(client, applicant={"name": "Zhang Wei", "locale": "en"})
    drain(art)
    [sent] = gateway.sent
    assert sent.template_code == "SMS_000000002"
    assert sent.params["amount"] == "50,000"


@pytest.mark.parametrize("code", ["isv.MOBILE_NUMBER_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT"])
def test_a_refused_number_hands_off_and_nothing_more_goes_to_it(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway, code: str
) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    gateway.fail_to(phone, code)
    drain(art)
    [message] = outbound(art, phone)
    assert (message.status, message.error_code) == ("failed", code)
    row = application_row(art, app["id"])
    assert (row.state, row.handoff_reason) == ("handed_off", "delivery_failed")
    assert consent_row(art, phone).undeliverable  # type: ignore[union-attr]
    assert counted(art, "smsbot_send_attempts_total", outcome="permanent") == 1


@pytest.mark.parametrize("code", ["isv.BUSINESS_LIMIT_CONTROL", "Throttling.User"])
def test_flow_control_is_retried_later_and_sent_once(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway, code: str
) -> None:
    phone = file(client)["applicant"]["phone"]
    gateway.fail_next(code)
    drain(art)
    [message] = outbound(art, phone)
    assert (message.status, message.error_code) == ("queued", code)
    assert message.send_after > utcnow()
    assert gateway.sends_to(phone) == []
    drain(art, seconds_later=60)
    assert [m.status for m in outbound(art, phone)] == ["accepted"]
    assert len(gateway.sends_to(phone)) == 1


@pytest.mark.parametrize(
    ("code", "halts_all"),
    [
        ("isv.AMOUNT_NOT_ENOUGH", True),
        ("isv.OUT_OF_SERVICE", True),
        ("isv.SMS_SIGNATURE_ILLEGAL", True),
        ("isv.ACCOUNT_ABNORMAL", True),
        ("isv.TEMPLATE_MISSING_PARAMETERS", False),
        ("isv.SMS_TEMPLATE_ILLEGAL", False),
    ],
)
def test_an_account_or_template_refusal_stops_sending_keeps_the_messages_and_alerts(
    client: FlaskClient,
    art: Runtime,
    gateway: AliyunGateway,
    caplog: pytest.LogCaptureFixture,
    code: str,
    halts_all: bool,
) -> None:
    first = file(client)
    second = file(client)
    other = file(client, applicant={"name": "Zhang Wei", "locale": "en"})  # another template
    gateway.fail_next(code)
    with caplog.at_level(logging.ERROR, logger="smsbot.delivery.providers.aliyun"):
        drain(art)
    assert any(code in record.getMessage() and record.levelno == logging.ERROR for record in caplog.records)
    for app in (first, second):
        [message] = outbound(art, app["applicant"]["phone"])
        assert (message.status, message.error_code, message.attempts) == ("queued", code, 0)
        assert message.send_after > utcnow() + timedelta(seconds=HALT_SECONDS - 30)
        assert application_row(art, app["id"]).state == "awaiting_confirmation"  # not handed off, not dropped
    [english] = outbound(art, other["applicant"]["phone"])
    assert english.status == ("queued" if halts_all else "accepted")
    assert gateway.calls["SendSms"] == (1 if halts_all else 2)  # the halted sends never reached the gateway
    assert counted(art, "smsbot_send_halts_total", code=code) == 2 + halts_all
    # Once the halt is over (the operator fixed the account), the messages go, each once.
    art.provider._halts.clear()  # type: ignore[attr-defined]
    drain(art, seconds_later=HALT_SECONDS + 1)
    assert sorted(s.out_id or "" for s in gateway.sent) == sorted(
        str(m.id) for app in (first, second, other) for m in outbound(art, app["applicant"]["phone"])
    )


def test_a_wrong_secret_is_refused_by_the_gateway_and_halts_sending(settings: Settings, gateway: AliyunGateway) -> None:
    rt = build_runtime(aliyun_settings(settings, gateway, aliyun_access_key_secret="not-the-secret"))
    try:
        phone = file(create_app(rt.settings, rt=rt).test_client())["applicant"]["phone"]
        drain(rt)
        assert gateway.refused == ["SignatureDoesNotMatch"]
        assert gateway.sent == []
        [message] = outbound(rt, phone)
        assert (message.status, message.error_code) == ("queued", "SignatureDoesNotMatch")
    finally:
        rt.engine.dispose()


def test_a_send_that_timed_out_after_the_gateway_accepted_it_is_found_and_not_sent_again(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway
) -> None:
    phone = file(client)["applicant"]["phone"]
    gateway.faults.hang_after_accept, gateway.faults.hang_seconds = 1, 2.5
    drain(art)
    [message] = outbound(art, phone)
    assert message.status == "sending"  # unknown: leased until it is reconciled
    assert counted(art, "smsbot_send_attempts_total", outcome="unknown") == 1
    drain(art, seconds_later=art.settings.lease_seconds + 60)
    [message] = outbound(art, phone)
    assert (message.status, message.provider_sid) == ("accepted", f"aliyun:out:{message.id}")
    assert gateway.calls["SendSms"] == 1 and gateway.calls["QuerySendDetails"] >= 1
    assert counted(art, "smsbot_send_reconciliations_total", result="found") == 1


def test_a_send_that_never_reached_the_gateway_is_sent_after_the_lookup_finds_nothing(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway
) -> None:
    phone = file(client)["applicant"]["phone"]
    gateway.fail_next("isp.SYSTEM_ERROR")  # the gateway's own failure: maybe accepted, so reconciled first
    drain(art)
    assert outbound(art, phone)[0].status == "sending"
    drain(art, seconds_later=art.settings.lease_seconds + 60)
    assert outbound(art, phone)[0].status == "accepted"
    assert len(gateway.sends_to(phone)) == 1 and gateway.calls["QuerySendDetails"] >= 1


def test_free_text_is_held_back_on_this_backend(art: Runtime, gateway: AliyunGateway) -> None:
    provider = AliyunProvider(art.settings, gateway_templates(art.settings.templates_file))
    result = provider.send(OutboundSms(1, "+8613800138000", "【示例农商银行】hello", utcnow()))
    assert (result.outcome, result.error_code) == (Outcome.HALTED, "no_template")
    assert gateway.calls["SendSms"] == 0


def test_the_stand_in_runs_as_a_process_for_a_laptop_run(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a free port for the process to take
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.aliyun_gateway", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert "stand-in at" in process.stdout.readline()
        stand_in = load_settings(
            instance_path=str(tmp_path),
            aliyun_access_key_id=ACCESS_KEY_ID,
            aliyun_access_key_secret=ACCESS_KEY_SECRET,
            aliyun_sms_sign_name=SIGN_NAME,
            aliyun_sms_endpoint=f"http://127.0.0.1:{port}",
            sms_backend="aliyun",
        )
        sms = OutboundSms(9, "+8613800138000", "【示例】", utcnow(), frozenset(), "help", {"hotline": "95XXX"})
        assert AliyunProvider(stand_in, gateway_templates(stand_in.templates_file)).send(sms).outcome is Outcome.SENT
    finally:
        process.terminate()
        process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()


def test_a_notice_variant_goes_out_as_the_variant_s_own_template(
    settings: Settings, gateway: AliyunGateway, tmp_path: Path
) -> None:
    variant = (
        '["notice.b"]\nzh.text = "' + NOTICE_B_ZH + '"\nzh.aliyun_code = "SMS_900000001"\n'
        'zh.aliyun_params = ["name", "when", "amount", "hotline"]\n'
        'en.text = "' + NOTICE_B_EN + '"\nen.aliyun_code = "SMS_900000002"\n'
        'en.aliyun_params = ["name", "amount", "when", "hotline"]\n'
    )
    path = templates_file(tmp_path, variant)
    rt = build_runtime(aliyun_settings(settings, gateway, templates_file=str(path)))
    try:
        phone = file(create_app(rt.settings, rt=rt).test_client())["applicant"]["phone"]
        drain(rt)
        [message] = outbound(rt, phone)
        assert message.template == "notice.b"  # the only variant, so every filing gets it
        assert [sent.template_code for sent in gateway.sent] == ["SMS_900000001"]
    finally:
        rt.engine.dispose()


def test_the_lookup_reads_every_page_of_the_phone_s_day(art: Runtime, gateway: AliyunGateway) -> None:
    provider = AliyunProvider(art.settings, gateway_templates(art.settings.templates_file))
    sends = [
        OutboundSms(i, "+8613800138000", "【示例农商银行】", utcnow(), frozenset(), "help", {"hotline": "95XXX"})
        for i in range(1, 56)
    ]
    assert all(provider.send(sms).outcome is Outcome.SENT for sms in sends)
    found = provider.find_sent(sends[-1])  # the 55th: on the second page of 50
    assert found is not None and found.sid == "aliyun:out:55"
    assert provider.find_sent(OutboundSms(99, "+8613800138000", "", utcnow())) is None


def test_a_gateway_that_refuses_everything_keeps_every_message_queued(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway
) -> None:
    phones = [file(client)["applicant"]["phone"] for _ in range(3)]
    gateway.fail_all("isv.OUT_OF_SERVICE")
    drain(art)
    assert [outbound(art, phone)[0].status for phone in phones] == ["queued"] * 3
    assert gateway.calls["SendSms"] == 1  # the first refusal halted the rest
    gateway.fail_all(None)
    art.provider._halts.clear()  # type: ignore[attr-defined]
    drain(art, seconds_later=HALT_SECONDS + 1)
    assert [outbound(art, phone)[0].status for phone in phones] == ["accepted"] * 3


def start_aliyun_worker(settings: Settings) -> subprocess.Popen[bytes]:
    """A real `smsbot worker` process on the aliyun backend, with a lease just longer than one gateway call."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "ALIYUN_", "DATABASE_URL"))}
    env |= {
        "DATABASE_URL": settings.database_url,
        "SMSBOT_SMS_BACKEND": "aliyun",
        "ALIYUN_ACCESS_KEY_ID": settings.aliyun_access_key_id,
        "ALIYUN_ACCESS_KEY_SECRET": settings.aliyun_access_key_secret,
        "ALIYUN_SMS_SIGN_NAME": settings.aliyun_sms_sign_name,
        "ALIYUN_SMS_ENDPOINT": settings.aliyun_sms_endpoint,
        "ALIYUN_TIMEOUT_SECONDS": "1.5",
        "SMSBOT_LEASE_SECONDS": "5",
        "SMSBOT_NOTICE_HOURS": settings.notice_hours,
        "SMSBOT_REMINDER_HOURS": settings.reminder_hours,
        "SMSBOT_SEND_RATE": "0",
        "SMSBOT_WORKER_POLL_SECONDS": "0.05",
    }
    command = [sys.executable, "-m", "smsbot.cli", "worker"]
    return subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_batch_leaves_every_message_sent_exactly_once(
    client: FlaskClient, art: Runtime, gateway: AliyunGateway
) -> None:
    phones = [file(client)["applicant"]["phone"] for _ in range(12)]
    # Each send is recorded at once but answered late, so the kill lands between the gateway's accept and our commit.
    gateway.faults.hang_after_accept, gateway.faults.hang_seconds = 12, 0.4
    first = start_aliyun_worker(art.settings)
    try:
        wait_until(lambda: len(gateway.sent) >= 4, timeout=30)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    gateway.faults.hang_after_accept = 0
    done = ("accepted", "sent", "delivered")
    assert not all(outbound(art, phone)[0].status in done for phone in phones)
    second = start_aliyun_worker(art.settings)
    try:
        wait_until(lambda: all(outbound(art, phone)[0].status in done for phone in phones), timeout=60)
    finally:
        second.terminate()
        second.wait(timeout=10)
    assert {phone: len(gateway.sends_to(phone)) for phone in phones} == {phone: 1 for phone in phones}
    with art.sessions() as session:
        details = session.execute(select(SendAttempt.detail)).scalars().all()
    assert RECONCILED in details  # a send in flight at the kill was found at the gateway, not sent again
