"""Status callbacks reach the webhook signed like Twilio's, in the order a test asks for."""

from __future__ import annotations

import time

import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.twilio_standin import TwilioStandIn
from tests.twilio_standin.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, CallbackReceiver

SENDER = "+15005550000"


def send_with_callback(client: Client, receiver: CallbackReceiver, to: str, **extra: str) -> str:
    url = f"{receiver.base_url}/webhooks/twilio/status?source=standin"
    return client.messages.create(to=to, from_=SENDER, body="Hi", status_callback=url, **extra).sid


def test_callbacks_report_sent_then_delivered_signed_with_the_auth_token(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    sid = send_with_callback(client, receiver, "+15551240001")

    assert standin.wait_for_callbacks(timeout=5)
    validator = RequestValidator(AUTH_TOKEN)
    assert receiver.statuses() == ["sent", "delivered"]
    for callback in receiver.received:
        assert validator.validate(callback.url, callback.form, callback.signature)
        assert callback.form["MessageSid"] == callback.form["SmsSid"] == sid
        assert callback.form["SmsStatus"] == callback.form["MessageStatus"]
        assert (callback.form["AccountSid"], callback.form["ApiVersion"]) == (ACCOUNT_SID, "2010-04-01")
        assert (callback.form["From"], callback.form["To"]) == (SENDER, "+15551240001")
        assert "ErrorCode" not in callback.form
    assert client.messages(sid).fetch().status == "delivered"


def test_a_tampered_callback_would_fail_validation(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    send_with_callback(client, receiver, "+15551240002")
    assert standin.wait_for_callbacks(timeout=5)
    callback = receiver.received[0]

    forged = {**callback.form, "MessageStatus": "failed"}

    assert not RequestValidator(AUTH_TOKEN).validate(callback.url, forged, callback.signature)
    assert not RequestValidator("another-token").validate(callback.url, callback.form, callback.signature)


def test_messaging_service_callbacks_carry_the_service_sid(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    client.messages.create(
        to="+15551240003",
        messaging_service_sid=SERVICE_SID,
        body="Hi",
        status_callback=receiver.base_url + "/s",
    )

    assert standin.wait_for_callbacks(timeout=5)
    assert [c.form["MessagingServiceSid"] for c in receiver.received] == [SERVICE_SID, SERVICE_SID]


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        (30003, "undelivered", ["sent", "undelivered"]),
        (30005, "undelivered", ["sent", "undelivered"]),
        (30006, "undelivered", ["sent", "undelivered"]),
        (30007, "failed", ["failed"]),
    ],
)
def test_injected_delivery_errors_arrive_in_the_final_callback(
    standin: TwilioStandIn,
    client: Client,
    receiver: CallbackReceiver,
    code: int,
    status: str,
    expected: list[str],
) -> None:
    standin.fail_callbacks_to("+15551240004", code, status)

    sid = send_with_callback(client, receiver, "+15551240004")

    assert standin.wait_for_callbacks(timeout=5)
    assert receiver.statuses() == expected
    assert receiver.received[-1].form["ErrorCode"] == str(code)
    fetched = client.messages(sid).fetch()
    assert (fetched.status, fetched.error_code) == (status, code)


def test_out_of_order_mode_delivers_before_sent_and_status_stays_delivered(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    standin.set_callback_mode("out_of_order")

    sid = send_with_callback(client, receiver, "+15551240005")

    assert standin.wait_for_callbacks(timeout=5)
    assert receiver.statuses() == ["delivered", "sent"]
    assert client.messages(sid).fetch().status == "delivered"


def test_duplicate_mode_sends_every_callback_twice(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    standin.set_callback_mode("duplicate")

    send_with_callback(client, receiver, "+15551240006")

    assert standin.wait_for_callbacks(timeout=5)
    assert receiver.statuses() == ["sent", "sent", "delivered", "delivered"]


def test_none_mode_posts_nothing_but_the_message_is_still_delivered(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    standin.set_callback_mode("none")

    sid = send_with_callback(client, receiver, "+15551240007")

    assert standin.wait_for_callbacks(timeout=5)
    assert receiver.received == []
    assert client.messages(sid).fetch().status == "delivered"


def test_late_mode_holds_callbacks_back(standin: TwilioStandIn, client: Client, receiver: CallbackReceiver) -> None:
    standin.add_fault({"callback_mode": "late", "late_delay_ms": 300})

    send_with_callback(client, receiver, "+15551240008")

    time.sleep(0.15)
    assert receiver.received == []
    assert standin.wait_for_callbacks(timeout=5)
    assert receiver.statuses() == ["sent", "delivered"]


def test_a_slow_webhook_never_delays_the_create_response(
    standin: TwilioStandIn, client: Client, receiver: CallbackReceiver
) -> None:
    receiver.delay_s = 0.3
    standin.set_callback_delay_ms(0)

    started = time.monotonic()
    for n in range(3):
        send_with_callback(client, receiver, f"+1555124001{n}")

    assert time.monotonic() - started < 0.25
    assert standin.wait_for_callbacks(timeout=10)


def test_a_callback_can_be_sent_on_demand(standin: TwilioStandIn, client: Client, receiver: CallbackReceiver) -> None:
    standin.set_callback_mode("none")
    sid = send_with_callback(client, receiver, "+15551240020")

    entry = standin.send_callback(sid, "undelivered", error_code=30003)

    assert entry["http_status"] == 204
    (callback,) = receiver.received
    assert (callback.form["MessageStatus"], callback.form["ErrorCode"]) == ("undelivered", "30003")
    assert RequestValidator(AUTH_TOKEN).validate(callback.url, callback.form, callback.signature)
