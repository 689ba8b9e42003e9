"""One typed settings object, read from the environment in `create_app` (never at import time)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import time
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from smsbot.phones import DEFAULT_REGION, is_region

DEV_SECRET = "dev-secret-change-me"
DEV_API_TOKEN = "dev-token"
MIN_SECRET_CHARS = 32  # production's SECRET_KEY and API token: `openssl rand -hex 32` gives 64
WEBHOOK_SECRET_PREFIX = "whsec_"
MIN_WEBHOOK_KEY_BYTES = 24  # Standard Webhooks asks for 24 to 64 random bytes
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class Settings(BaseSettings):
    """Every knob of smsbot. Names are the public contract of PRODUCT.md."""

    # Errors name the setting and what it expects, never its value: the value may be a secret.
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True, hide_input_in_errors=True)

    database_url: str = Field(default="", alias="DATABASE_URL")
    secret_key: str = Field(default=DEV_SECRET, alias="SECRET_KEY")
    api_token: str = Field(default=DEV_API_TOKEN, alias="SMSBOT_API_TOKEN")
    public_url: str = Field(default="http://127.0.0.1:5000", alias="SMSBOT_PUBLIC_URL")
    environment: Literal["development", "production"] = Field(default="development", alias="SMSBOT_ENV")
    sms_backend: Literal["twilio", "aliyun", "simulator", ""] = Field(default="", alias="SMSBOT_SMS_BACKEND")

    twilio_account_sid: str = Field(default="", alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field(default="", alias="TWILIO_AUTH_TOKEN")
    twilio_from_number: str = Field(default="", alias="TWILIO_FROM_NUMBER")
    twilio_messaging_service_sid: str = Field(default="", alias="TWILIO_MESSAGING_SERVICE_SID")
    twilio_api_base_url: str = Field(default="https://api.twilio.com", alias="TWILIO_API_BASE_URL")
    twilio_timeout_seconds: float = Field(default=10.0, gt=0, le=60, alias="SMSBOT_TWILIO_TIMEOUT_SECONDS")

    # Alibaba Cloud SMS, the mainland gateway (`SMSBOT_SMS_BACKEND=aliyun`): every text an approved template.
    aliyun_access_key_id: str = Field(default="", alias="ALIYUN_ACCESS_KEY_ID")
    aliyun_access_key_secret: str = Field(default="", alias="ALIYUN_ACCESS_KEY_SECRET")
    aliyun_sms_sign_name: str = Field(default="", alias="ALIYUN_SMS_SIGN_NAME")
    aliyun_sms_endpoint: str = Field(default="dysmsapi.aliyuncs.com", alias="ALIYUN_SMS_ENDPOINT")
    aliyun_timeout_seconds: float = Field(default=10.0, gt=0, le=60, alias="ALIYUN_TIMEOUT_SECONDS")

    signature: str = Field(default="示例农商银行|ExampleBank", alias="SMSBOT_SIGNATURE")
    hotline: str = Field(default="95XXX", alias="SMSBOT_HOTLINE")
    default_region: str = Field(default=DEFAULT_REGION, alias="SMSBOT_DEFAULT_REGION")
    default_timezone: str = Field(default="Asia/Shanghai", alias="SMSBOT_DEFAULT_TIMEZONE")
    notice_hours: str = Field(default="08:00-21:00", alias="SMSBOT_NOTICE_HOURS")
    reminder_hours: str = Field(default="09:00-20:00", alias="SMSBOT_REMINDER_HOURS")
    reminder_after_seconds: int = Field(default=86400, ge=1, alias="SMSBOT_REMINDER_AFTER_SECONDS")
    expire_after_seconds: int = Field(default=259200, ge=1, alias="SMSBOT_EXPIRE_AFTER_SECONDS")
    max_reprompts: int = Field(default=1, ge=0, le=5, alias="SMSBOT_MAX_REPROMPTS")
    send_rate: float = Field(default=1.0, ge=0, alias="SMSBOT_SEND_RATE")
    send_concurrency: int = Field(default=4, ge=1, le=32, alias="SMSBOT_SEND_CONCURRENCY")
    max_send_attempts: int = Field(default=5, ge=1, alias="SMSBOT_MAX_SEND_ATTEMPTS")
    worker_poll_seconds: float = Field(default=0.5, gt=0, alias="SMSBOT_WORKER_POLL_SECONDS")
    lease_seconds: int = Field(default=60, ge=5, alias="SMSBOT_LEASE_SECONDS")
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535, alias="SMSBOT_WORKER_METRICS_PORT")
    instance_path: str = Field(default="instance", alias="SMSBOT_INSTANCE_PATH")
    templates_file: str = Field(default="", alias="SMSBOT_TEMPLATES_FILE")  # empty: the shipped templates

    # Events for the lender's system (smsbot/events/): recorded only when both the URL and the secret are set.
    events_url: str = Field(default="", alias="SMSBOT_EVENTS_URL")
    events_secret: str = Field(default="", alias="SMSBOT_EVENTS_SECRET")
    events_timeout_seconds: float = Field(default=10.0, gt=0, le=60, alias="SMSBOT_EVENTS_TIMEOUT_SECONDS")
    events_concurrency: int = Field(default=16, ge=1, le=32, alias="SMSBOT_EVENTS_CONCURRENCY")
    events_backoff_seconds: float = Field(default=10.0, gt=0, alias="SMSBOT_EVENTS_BACKOFF_SECONDS")
    events_backoff_max_seconds: float = Field(default=3600.0, gt=0, alias="SMSBOT_EVENTS_BACKOFF_MAX_SECONDS")
    events_retry_for_seconds: int = Field(default=86400, ge=1, alias="SMSBOT_EVENTS_RETRY_FOR_SECONDS")

    # Mainland gateway pushes (web.aliyun_webhooks): the secret path segment of the URLs registered with it.
    # Empty: the push URLs answer 404.
    callback_token: str = Field(default="", alias="SMSBOT_CALLBACK_TOKEN")

    @field_validator("notice_hours", "reminder_hours")
    @classmethod
    def _check_hours(cls, value: str) -> str:
        if not _HOURS.match(value):
            raise ValueError("expected HH:MM-HH:MM, e.g. 08:00-21:00")
        return value

    @field_validator("signature")
    @classmethod
    def _bare_signature(cls, value: str) -> str:
        """Operators write the lender's name with or without its 【】 (`【示例农商银行】|ExampleBank`); keep it bare,
        so that the texts bracket it exactly once."""
        names = [name.strip().removeprefix("【").removesuffix("】").strip() for name in value.split("|")]
        if len(names) > 2 or not all(names) or any(set(name) & set("【】|") for name in names):
            raise ValueError(
                "SMSBOT_SIGNATURE: expected the lender's name, or `中文名|English name`, e.g. 示例农商银行"
            )
        return "|".join(names)

    @field_validator("default_region")
    @classmethod
    def _check_region(cls, value: str) -> str:
        if not is_region(value.upper()):
            raise ValueError("expected a two-letter region code phonenumbers knows, e.g. CN or HK")
        return value.upper()

    @field_validator("events_secret")
    @classmethod
    def _check_events_secret(cls, value: str) -> str:
        if value and not is_webhook_secret(value):
            raise ValueError("SMSBOT_EVENTS_SECRET: expected a Standard Webhooks secret, whsec_ and base64 bytes")
        return value

    @field_validator("events_url")
    @classmethod
    def _check_events_url(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("SMSBOT_EVENTS_URL: expected an http:// or https:// URL")
        return value

    @field_validator("public_url", "twilio_api_base_url")
    @classmethod
    def _check_base_url(cls, value: str, info: ValidationInfo) -> str:
        """A base URL that others' URLs are built on: Twilio signs the public one, so a typo here fails every
        webhook's signature; refuse it at start instead."""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            name = "SMSBOT_PUBLIC_URL" if info.field_name == "public_url" else "TWILIO_API_BASE_URL"
            raise ValueError(f"{name}: expected an http:// or https:// base URL such as https://sms.example.com")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or self.api_token == DEV_API_TOKEN:
                raise ValueError("SECRET_KEY and SMSBOT_API_TOKEN must be set in production")
            if min(len(self.secret_key), len(self.api_token)) < MIN_SECRET_CHARS:
                raise ValueError(
                    f"SECRET_KEY and SMSBOT_API_TOKEN must be at least {MIN_SECRET_CHARS} characters in production"
                    " (for example `openssl rand -hex 32`): a short one can be guessed"
                )
            if not self.database_url:
                raise ValueError("DATABASE_URL must be set in production")
            _refuse_short_callback_token(self)
            _refuse_simulator_in_production(self)
        if self.lease_seconds <= self.send_time_seconds:
            raise ValueError(
                "SMSBOT_LEASE_SECONDS must exceed twice the provider's timeout (SMSBOT_TWILIO_TIMEOUT_SECONDS or"
                " ALIYUN_TIMEOUT_SECONDS) plus one second: a send must"
                " never outlive the lease of the row it sends"
            )

        if bool(self.events_url) != bool(self.events_secret):
            raise ValueError("SMSBOT_EVENTS_URL and SMSBOT_EVENTS_SECRET go together: set both or neither")
        if self.backend == "twilio" and not (self.twilio_from_number or self.twilio_messaging_service_sid):
            raise ValueError("the twilio backend needs TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if self.backend == "aliyun":
            _refuse_incomplete_aliyun(self)
        _refuse_bad_templates(self)
        return self

    @property
    def send_time_seconds(self) -> float:
        """The longest one provider call may take: its connect and read timeouts, plus a second of our own."""
        timeout = self.aliyun_timeout_seconds if self.backend == "aliyun" else self.twilio_timeout_seconds
        return 2 * timeout + 1

    @property
    def backend(self) -> str:
        """`simulator` unless Twilio credentials are set (or the backend is named explicitly)."""
        if self.sms_backend:
            return self.sms_backend
        return "twilio" if self.twilio_account_sid and self.twilio_auth_token else "simulator"

    @property
    def events_enabled(self) -> bool:
        """Whether events for the lender's system are recorded (and sent by the worker)."""
        return bool(self.events_url)

    def sqlalchemy_url(self) -> str:
        """The database URL in SQLAlchemy's spelling; operators write plain `postgresql://` URLs."""
        url = self.database_url or f"sqlite:///{Path(self.instance_path).resolve() / 'smsbot.sqlite3'}"
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    def signature_for(self, locale: str) -> str:
        """Lender name for the locale: `SMSBOT_SIGNATURE` is `中文名|English name` or one name for both."""
        zh, _, en = self.signature.partition("|")
        return zh if locale.startswith("zh") else (en or zh)


def _refuse_bad_templates(settings: Settings) -> None:
    """A templates file that fails `smsbot templates check` stops the start, naming the first template at fault."""
    from smsbot.conversation.catalogue import TemplatesError
    from smsbot.conversation.template_check import refusals

    signatures = (settings.signature_for("zh"), settings.signature_for("en"))
    try:
        problems = refusals(
            settings.templates_file, signatures, settings.hotline, gateway_sign=gateway_sign_name(settings)
        )
    except TemplatesError as exc:
        raise ValueError(f"SMSBOT_TEMPLATES_FILE: {exc}") from None
    if problems:
        more = f" (and {len(problems) - 1} more: smsbot templates check)" if len(problems) > 1 else ""
        raise ValueError(f"SMSBOT_TEMPLATES_FILE: template {problems[0]}{more}")


def _refuse_short_callback_token(settings: Settings) -> None:
    """The gateway's pushes carry no signature: the token in their URL is all that keeps forged replies out."""
    if settings.backend == "aliyun" and len(settings.callback_token) < MIN_SECRET_CHARS:
        raise ValueError(
            f"SMSBOT_CALLBACK_TOKEN must be at least {MIN_SECRET_CHARS} characters in production on the aliyun"
            " backend (for example `openssl rand -hex 32`): it is the only secret of the gateway's push URLs"
        )


def gateway_sign_name(settings: Settings) -> str | None:
    """The mainland gateway's signature when texts go through it (templates are then checked for it)."""
    return (settings.aliyun_sms_sign_name or settings.signature_for("zh")) if settings.backend == "aliyun" else None


def _refuse_incomplete_aliyun(settings: Settings) -> None:
    required = {
        "ALIYUN_ACCESS_KEY_ID": settings.aliyun_access_key_id,
        "ALIYUN_ACCESS_KEY_SECRET": settings.aliyun_access_key_secret,
        "ALIYUN_SMS_SIGN_NAME": settings.aliyun_sms_sign_name,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise ValueError(f"the aliyun backend needs {', '.join(missing)}")
    endpoint = settings.aliyun_sms_endpoint
    if "://" in endpoint and (urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).hostname):
        raise ValueError("ALIYUN_SMS_ENDPOINT: expected a host such as dysmsapi.aliyuncs.com or an http(s):// URL")


def _refuse_simulator_in_production(settings: Settings) -> None:
    """The simulator sends nothing and opens `/dev/phone`, where anyone can read every thread and reply as the
    applicant: a production start must name what it lacks instead of falling back to it."""
    if settings.sms_backend == "simulator":
        raise ValueError("SMSBOT_SMS_BACKEND=simulator is for development only; production needs twilio or aliyun")
    if settings.backend == "aliyun":
        return  # its own settings are checked whatever the environment
    required = {
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID": (
            settings.twilio_from_number or settings.twilio_messaging_service_sid
        ),
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        raise ValueError(f"production sends through Twilio; missing: {', '.join(missing)}")


def is_webhook_secret(value: str) -> bool:
    """`whsec_` and at least 24 bytes in base64, the Standard Webhooks form (its libraries read the same)."""
    if not value.startswith(WEBHOOK_SECRET_PREFIX):
        return False
    try:
        key = base64.b64decode(value.removeprefix(WEBHOOK_SECRET_PREFIX), validate=True)
    except binascii.Error:
        return False
    return len(key) >= MIN_WEBHOOK_KEY_BYTES


def parse_hours(spec: str) -> tuple[time, time]:
    """`08:00-21:00` as a (start, end) pair; `24:00` means end of day."""
    start, end = spec.split("-")
    end_time = time.max if end == "24:00" else time.fromisoformat(end)
    return time.fromisoformat(start), end_time


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; tests pass overrides by field name."""
    return Settings(**overrides)  # type: ignore[arg-type]
