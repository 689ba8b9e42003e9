"""The two providers a conversation runs on, as a test drives them: Twilio (signed form webhooks, free text) and
the mainland gateway (JSON pushes of replies under a callback token, approved templates only), each with its
local stand-in over HTTP for what the worker sends. Tests about the conversation rather than the provider take
`on` (tests/conversation/conftest.py) and run on both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from tests.aliyun_gateway import ACCESS_KEY_ID, ACCESS_KEY_SECRET, AliyunGateway
from tests.aliyun_push import reply_element
from tests.conftest import AUTH_TOKEN
from tests.factories import send_sms
from tests.twilio_standin import TwilioStandIn

CALLBACK_TOKEN = "cb-" + "5e1d" * 12
RECEIVED = {"code": 0, "msg": "接收成功"}
TWILIO_ACCOUNT_SID = "AC" + "c" * 32


@dataclass(frozen=True)
class Channel:
    name: str

    @contextmanager
    def standin(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The provider's stand-in, running; yields what the backend's settings need to reach it."""
        if self.name == "twilio":
            with TwilioStandIn(TWILIO_ACCOUNT_SID, AUTH_TOKEN, callback_delay_ms=5) as twilio:
                yield (
                    twilio.base_url,
                    {
                        "sms_backend": "twilio",
                        "twilio_account_sid": TWILIO_ACCOUNT_SID,
                        "twilio_auth_token": AUTH_TOKEN,
                        "twilio_from_number": "+15005550006",
                        "twilio_api_base_url": twilio.base_url,
                        "twilio_timeout_seconds": 2.0,
                    },
                )
            return
        with AliyunGateway() as gateway:
            yield (
                gateway.base_url,
                {
                    "sms_backend": "aliyun",
                    "aliyun_access_key_id": ACCESS_KEY_ID,
                    "aliyun_access_key_secret": ACCESS_KEY_SECRET,
                    "aliyun_sms_sign_name": "示例农商银行",
                    "aliyun_sms_endpoint": gateway.base_url,
                    "aliyun_timeout_seconds": 2.0,
                    "callback_token": CALLBACK_TOKEN,
                },
            )

    def reply(self, client: FlaskClient, phone: str, text: str) -> None:
        """The applicant's reply as this provider delivers it; the provider must have been answered success."""
        if self.name == "twilio":
            response = send_sms(client, phone, text)
            assert response.status_code == 200, response.get_data(as_text=True)
            return
        response = client.post(f"/webhooks/aliyun/sms-up/{CALLBACK_TOKEN}", json=[reply_element(phone, text)])
        assert (response.status_code, response.get_json()) == (200, RECEIVED), response.get_data(as_text=True)


CHANNELS = {name: Channel(name) for name in ("aliyun", "twilio")}
