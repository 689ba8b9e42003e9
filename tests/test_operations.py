"""Health, metrics, the phone simulator, the diagram command, and what logs may hold (promise 9)."""

from __future__ import annotations

import logging
import re
import time

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from smsbot.cli import main
from smsbot.db import IDLE_PING_SECONDS
from smsbot.dependencies import Runtime
from smsbot.worker import drain_once
from tests.factories import AUTH, application, application_payload, file, new_phone, send_sms


def test_healthz_checks_the_database(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(client: FlaskClient, rt: Runtime) -> None:
    from sqlalchemy import create_engine

    rt.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert client.get("/healthz").status_code == 503


def test_metrics_count_inbound_outbound_states_and_latency(client: FlaskClient) -> None:
    app = file(client)
    send_sms(client, app["applicant"]["phone"], "1")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'smsbot_inbound_messages_total{result="stored"} 1.0' in text
    assert 'smsbot_outbound_messages{status="queued"} 2.0' in text
    assert 'smsbot_applications{state="confirmed"} 1.0' in text
    assert 'smsbot_transitions_total{to_state="confirmed"} 1.0' in text
    assert "smsbot_webhook_seconds_bucket" in text


def test_the_phone_simulator_shows_the_thread_and_replies_through_the_inbound_path(client: FlaskClient, app) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    filed = file(client)
    phone = filed["applicant"]["phone"]
    page = client.get(f"/dev/phone/{phone}").get_data(as_text=True)
    assert "张*您好" in page
    assert client.post(f"/dev/phone/{phone}", data={"body": "1"}).status_code == 302
    assert application(client, filed["id"])["state"] == "confirmed"
    assert phone in client.get("/dev/phone/").get_data(as_text=True)


def test_the_phone_simulator_escapes_what_the_applicant_typed(client: FlaskClient) -> None:
    filed = file(client)
    phone = filed["applicant"]["phone"]
    send_sms(client, phone, "<script>alert(1)</script>")
    page = client.get(f"/dev/phone/{phone}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_diagram_is_drawn_from_the_transition_table() -> None:
    result = CliRunner().invoke(main, ["diagram"])
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2")
    assert "awaiting_confirmation --> confirmed: confirm" in result.output
    assert "opted_out --> handed_off: opt_in" in result.output


def test_logs_never_hold_a_full_phone_number_a_name_or_a_message_body(
    client: FlaskClient, rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    filed = file(client, applicant={"name": "欧阳娜娜"})
    phone = filed["applicant"]["phone"]
    send_sms(client, phone, "金额应该是六万 secret-body-words")
    send_sms(client, phone, "STOP")
    drain_once(rt.sessions, rt.provider, settings=rt.settings)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the conversation should log something"
    assert phone not in logged and phone[1:] not in logged
    assert "欧阳娜娜" not in logged and "secret-body-words" not in logged
    assert re.search(r"\d{3}\*{4}\d{4}", logged)


def test_any_log_record_has_phone_numbers_masked() -> None:
    from smsbot.logs import MaskPhones

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"GET /dev/phone/%s HTTP/1.1" 200', ("+8613800138000",), None
    )
    MaskPhones().filter(record)
    assert record.getMessage() == '"GET /dev/phone/138****8000 HTTP/1.1" 200'
    quoted = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "GET /dev/phone/%2B85291234567", None, None)
    MaskPhones().filter(quoted)
    assert "91234567" not in quoted.getMessage()
    untouched = logging.LogRecord("x", logging.INFO, __file__, 1, "message 42 took 3 ms", None, None)
    MaskPhones().filter(untouched)
    assert untouched.getMessage() == "message 42 took 3 ms"


def test_the_readme_embeds_the_generated_diagram() -> None:
    from pathlib import Path

    from states.machine import mermaid_diagram

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert f"```mermaid\n{mermaid_diagram()}```" in readme


def test_gunicorn_serves_the_app_with_gthread_workers(settings) -> None:  # type: ignore[no-untyped-def]
    import os
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        bind = f"127.0.0.1:{probe.getsockname()[1]}"
    env = os.environ | {"DATABASE_URL": settings.database_url, "SMSBOT_BIND": bind}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "wsgi:app", "--workers", "1", "--threads", "2"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline, health = time.monotonic() + 60, None
        while health is None and time.monotonic() < deadline:
            try:
                health = requests.get(f"http://{bind}/healthz", timeout=10).json()
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        assert health == {"status": "ok", "database": "ok"}
    finally:
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert b"Using worker: gthread" in err


def test_eval_replies_reports_the_figures_as_json_and_names_bad_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    good = tmp_path / "good.jsonl"
    rows = [
        {"text": "1", "context": "awaiting_confirmation", "intent": "confirm"},
        {"text": "好的", "context": "awaiting_confirmation", "intent": "confirm"},  # labelled wrong on purpose
        {"text": "退订", "context": "awaiting_confirmation", "intent": "opt_out"},
    ]
    good.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    result = CliRunner().invoke(main, ["eval-replies", str(good), "--json"])
    figures = json.loads(result.output)
    assert (figures["rows"], figures["false_confirm"], figures["missed_opt_out"]) == (3, 0, 0)
    assert round(figures["accuracy"], 3) == 0.667
    assert "field_value_accuracy" in figures
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "1", "context": "awaiting_confirmation", "intent": "confirm"}\n{"text": "x"}\n')
    refused = CliRunner().invoke(main, ["eval-replies", str(bad)])
    assert refused.exit_code != 0 and "line 2" in refused.output


def test_a_restarted_database_costs_no_request(client: FlaskClient, rt: Runtime) -> None:
    """Every pooled connection ended under the app: the next filing, reply and health check all succeed."""
    from sqlalchemy import create_engine, text

    if rt.engine.dialect.name != "postgresql":
        pytest.skip("connections to drop exist only on PostgreSQL")
    assert client.get("/healthz").status_code == 200
    database = rt.engine.url.database
    outside = create_engine(rt.engine.url)  # not from the app's pool, so every pooled connection dies
    with outside.connect() as admin:  # what a server restart does to every pooled connection
        killed = admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database},
        ).all()
        admin.commit()
    outside.dispose()
    assert killed, "the app's pooled connection should have been there to drop"
    time.sleep(IDLE_PING_SECONDS + 0.2)  # a quiet moment after the restart, as between two webhooks
    phone = new_phone()
    filed = client.post("/api/v1/applications", json=application_payload(applicant={"phone": phone}), headers=AUTH)
    assert filed.status_code == 201
    assert send_sms(client, phone, "1").status_code == 200
    assert [client.get("/healthz").status_code for _ in range(3)] == [200, 200, 200]
