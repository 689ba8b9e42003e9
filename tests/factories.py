"""Plain factory functions for test data and signed Twilio requests."""

from __future__ import annotations

import itertools
import secrets
from typing import Any

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

from tests.conftest import API_TOKEN, AUTH_TOKEN, PUBLIC_URL

_phones = itertools.count(13800138000)
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


def new_phone() -> str:
    return f"+86{next(_phones)}"


def application_payload(**overrides: Any) -> dict[str, Any]:
    applicant = {"name": "张三", "phone": new_phone(), "locale": "zh-CN"}
    applicant |= overrides.pop("applicant", {})
    payload: dict[str, Any] = {
        "external_id": f"ext-{secrets.token_hex(6)}",
        "applicant": applicant,
        "amount": 50000,
        "term_months": 12,
        "purpose": "养殖",
        "submitted_at": "2026-08-03T10:15:00+08:00",
    }
    return payload | overrides


def file(client: FlaskClient, **overrides: Any) -> dict[str, Any]:
    response = client.post("/api/v1/applications", json=application_payload(**overrides), headers=AUTH)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def signature(path: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC_URL + path, form)


def twilio_form(phone: str, body: str, sid: str | None = None) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + secrets.token_hex(16),
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }


def send_sms(client: FlaskClient, phone: str, body: str, sid: str | None = None) -> TestResponse:
    """Post a correctly signed inbound-SMS webhook, as Twilio would."""
    form = twilio_form(phone, body, sid)
    path = "/webhooks/twilio/sms"
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature(path, form)})


def application(client: FlaskClient, app_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/applications/{app_id}", headers=AUTH)
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]
