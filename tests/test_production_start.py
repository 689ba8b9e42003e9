"""A production start sends through Twilio or does not start: never the simulator, never `/dev/phone`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from smsbot.app import create_app
from smsbot.config import Settings, load_settings
from smsbot.dependencies import build_runtime
from tests.delivery.conftest import PROJECT_ROOT

PRODUCTION = {
    "environment": "production",
    "secret_key": "a-real-secret-" + "k" * 32,
    "api_token": "a-real-token-" + "t" * 32,
    "database_url": "postgresql://smsbot@db/smsbot",
}
TWILIO = {
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": "token",
    "twilio_from_number": "+15005550006",
}


def test_a_production_start_without_twilio_credentials_names_what_is_missing() -> None:
    with pytest.raises(ValidationError) as refused:
        load_settings(**PRODUCTION)
    message = str(refused.value)
    assert "TWILIO_ACCOUNT_SID" in message and "TWILIO_AUTH_TOKEN" in message
    assert "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID" in message


def test_a_production_start_without_a_sender_names_the_sender() -> None:
    with pytest.raises(ValidationError, match="missing: TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"):
        load_settings(**PRODUCTION, twilio_account_sid=TWILIO["twilio_account_sid"], twilio_auth_token="t")


def test_a_production_start_refuses_the_simulator_even_when_named() -> None:
    with pytest.raises(ValidationError, match="SMSBOT_SMS_BACKEND=simulator is for development only"):
        load_settings(**PRODUCTION, **TWILIO, sms_backend="simulator")


@pytest.mark.parametrize("setting", ["secret_key", "api_token"])
def test_a_production_start_refuses_a_short_secret(setting: str) -> None:
    with pytest.raises(ValidationError, match="must be at least 32 characters in production"):
        load_settings(**PRODUCTION | {setting: "x" * 31}, **TWILIO)


@pytest.mark.parametrize("url", ["notaurl", "ftp://sms.example.com", "https://", "https://sms.example.com/?a=1"])
def test_a_public_url_that_is_not_a_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="SMSBOT_PUBLIC_URL: expected an http:// or https:// base URL"):
        load_settings(**PRODUCTION, **TWILIO, public_url=url)


def test_a_production_start_with_twilio_settings_starts() -> None:
    assert load_settings(**PRODUCTION, **TWILIO).backend == "twilio"


def test_the_worker_command_refuses_a_production_start_without_twilio_with_a_plain_message() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "DATABASE_URL"))}
    env |= {"SMSBOT_ENV": "production", "SECRET_KEY": "s" * 32, "SMSBOT_API_TOKEN": "t" * 32}
    env["DATABASE_URL"] = "sqlite://"
    done = subprocess.run(
        [sys.executable, "-m", "smsbot.cli", "worker"], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=60
    )
    assert done.returncode != 0
    error = done.stderr.decode()
    assert "cannot start: production sends through Twilio; missing: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN" in error
    assert "Traceback" not in error


def test_dev_phone_is_never_registered_in_production(settings: Settings) -> None:
    # Copied settings skip validation: the app itself must still keep the simulator's pages shut.
    production = settings.model_copy(update={"environment": "production"})
    assert production.backend == "simulator"
    rt = build_runtime(production)
    try:
        app = create_app(production, rt=rt)
        assert app.test_client().get("/dev/phone/").status_code == 404
        assert not any(rule.rule.startswith("/dev/") for rule in app.url_map.iter_rules())
    finally:
        rt.engine.dispose()


def test_dev_phone_is_registered_with_the_simulator_in_development(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/dev/phone/").status_code == 200


def test_the_worker_refuses_a_database_that_was_never_migrated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMSBOT_", "TWILIO_", "DATABASE_URL"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "SMSBOT_INSTANCE_PATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "smsbot.cli", "worker"], env=env, cwd=PROJECT_ROOT, capture_output=True, timeout=60
    )
    error = done.stderr.decode()
    assert done.returncode != 0
    assert "cannot start: the database schema is at nothing" in error and "smsbot db upgrade" in error
    assert "Traceback" not in error
