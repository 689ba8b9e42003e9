"""Status callbacks: signed, stored, forward-only; final failures reach a person or retry once."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from smsbot.dependencies import Runtime
from smsbot.models import DeliveryEvent, Message
from tests.delivery.helpers import application_row, consent_row, drain, outbound, wait_until
from tests.factories import file, signature
from tests.twilio_standin import TwilioStandIn

PATH = "/webhooks/twilio/status"


def events(rt: Runtime, sid: str) -> list[DeliveryEvent]:
    with rt.sessions() as session:
        query = select(DeliveryEvent).where(DeliveryEvent.provider_sid == sid).order_by(DeliveryEvent.id)
        return list(session.execute(query).scalars())


def sent_notice(live_app: Flask, trt: Runtime) -> tuple[dict, Message]:
    app = file(live_app.test_client())
    drain(trt)
    [message] = outbound(trt, app["applicant"]["phone"])
    return app, message


@pytest.mark.parametrize("mode", ["out_of_order", "duplicate", "late"])
def test_callbacks_late_twice_or_out_of_order_never_move_status_backwards(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, mode: str
) -> None:
    standin.set_callback_mode(mode)
    app, message = sent_notice(live_app, trt)
    assert standin.wait_for_callbacks(timeout=10)
    stored = wait_until(lambda: events(trt, message.provider_sid or ""))
    assert len(stored) >= 2
    assert outbound(trt, app["applicant"]["phone"])[0].status == "delivered"


def test_a_late_sent_after_delivered_is_stored_but_ignored(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn
) -> None:
    app, message = sent_notice(live_app, trt)
    standin.wait_for_callbacks()
    standin.send_callback(message.provider_sid or "", "sent")
    history = events(trt, message.provider_sid or "")
    assert [e.status for e in history] == ["sent", "delivered", "sent"]
    assert [e.applied for e in history] == [True, True, False]
    assert outbound(trt, app["applicant"]["phone"])[0].status == "delivered"


@pytest.mark.parametrize("code", [30005, 30006])
def test_a_permanent_callback_failure_hands_off_and_blocks_the_number(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, code: int
) -> None:
    app = file(live_app.test_client())
    phone = app["applicant"]["phone"]
    standin.fail_callbacks_to(phone, code)
    drain(trt)
    standin.wait_for_callbacks()
    wait_until(lambda: application_row(trt, app["id"]).state == "handed_off")
    assert application_row(trt, app["id"]).handoff_reason == "delivery_failed"
    assert consent_row(trt, phone).undeliverable  # type: ignore[union-attr]
    assert outbound(trt, phone)[0].error_code == str(code)


def test_30003_retries_once_later_then_hands_off(live_app: Flask, trt: Runtime, standin: TwilioStandIn) -> None:
    from datetime import timedelta

    from smsbot.models import utcnow

    app = file(live_app.test_client())
    phone = app["applicant"]["phone"]
    standin.fail_callbacks_to(phone, 30003)
    drain(trt)
    standin.wait_for_callbacks()
    first, retry = wait_until(lambda: len(outbound(trt, phone)) == 2 and outbound(trt, phone))
    assert (first.status, retry.retry_of, retry.status) == ("undelivered", first.id, "queued")
    assert application_row(trt, app["id"]).state == "awaiting_confirmation"
    drain(trt, now=utcnow() + timedelta(hours=2))
    standin.wait_for_callbacks()
    wait_until(lambda: application_row(trt, app["id"]).state == "handed_off")
    assert len(outbound(trt, phone)) == 2  # retried once, not again
    assert standin.stats()["created_by_to"][phone] == 2


def test_a_callback_for_an_unknown_sid_is_stored_and_ignored(live_app: Flask, trt: Runtime) -> None:
    form = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "5" * 32}
    client = live_app.test_client()
    response = client.post(PATH, data=form, headers={"X-Twilio-Signature": _sign(trt, form)})
    assert response.status_code == 200
    [event] = events(trt, "SM" + "9" * 32)
    assert (event.message_id, event.applied) == (None, False)


def test_a_forged_status_callback_is_403_and_stores_nothing(live_app: Flask, trt: Runtime) -> None:
    form = {"MessageSid": "SM" + "8" * 32, "MessageStatus": "delivered"}
    client = live_app.test_client()
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": "forged"}).status_code == 403
    assert client.post(PATH, data=form).status_code == 403
    assert events(trt, "SM" + "8" * 32) == []


def _sign(rt: Runtime, form: dict[str, str]) -> str:
    from twilio.request_validator import RequestValidator

    return RequestValidator(rt.settings.twilio_auth_token).compute_signature(rt.settings.public_url + PATH, form)


def test_status_callbacks_use_the_configured_public_url(client) -> None:  # type: ignore[no-untyped-def]
    form = {"MessageSid": "SM" + "7" * 32, "MessageStatus": "sent"}
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": signature(PATH, form)}).status_code == 200


def test_a_callback_that_beats_our_own_commit_is_applied_once_the_sid_is_known(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn
) -> None:
    from smsbot.delivery.providers.base import OutboundSms, SendResult
    from smsbot.delivery.providers.twilio import TwilioProvider

    class CallbackFirst(TwilioProvider):
        def send(self, sms: OutboundSms) -> SendResult:
            result = super().send(sms)
            standin.send_callback(result.sid or "", "delivered")  # arrives before the worker commits the sid
            return result

    standin.set_callback_mode("none")
    trt.provider = CallbackFirst(trt.settings)
    app, message = sent_notice(live_app, trt)
    [event] = events(trt, message.provider_sid or "")
    assert (event.message_id, event.applied) == (message.id, True)
    assert outbound(trt, app["applicant"]["phone"])[0].status == "delivered"
