"""Sending through the real twilio client to the local stand-in: parameters, errors, retries, reconciliation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from smsbot.dependencies import Runtime
from smsbot.models import utcnow
from tests.delivery.conftest import FROM_NUMBER
from tests.delivery.helpers import application_row, consent_row, drain, outbound, wait_until
from tests.factories import file
from tests.twilio_standin import TwilioStandIn


def later(seconds: float = 3600) -> object:
    return utcnow() + timedelta(seconds=seconds)


def test_a_notice_is_sent_with_the_sender_and_status_callback_and_then_delivered(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn
) -> None:
    app = file(live_app.test_client())
    phone = app["applicant"]["phone"]
    assert drain(trt) == 1
    [request] = standin.requests()
    assert request["form"]["From"] == FROM_NUMBER
    assert request["form"]["To"] == phone
    assert request["form"]["StatusCallback"] == trt.settings.public_url + "/webhooks/twilio/status"
    [message] = outbound(trt, phone)
    assert message.provider_sid == request["sid"]
    assert wait_until(lambda: outbound(trt, phone)[0].status == "delivered")


def test_a_messaging_service_replaces_the_from_number(live_app: Flask, trt: Runtime, standin: TwilioStandIn) -> None:
    trt.settings.twilio_messaging_service_sid = "MG" + "1" * 32
    file(live_app.test_client())
    drain(trt)
    [request] = standin.requests()
    assert request["form"]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in request["form"]


@pytest.mark.parametrize("code", [21211, 21614, 21612, 21635])
def test_a_permanent_error_hands_off_and_stops_further_sends_to_that_number(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, code: int
) -> None:
    client = live_app.test_client()
    app = file(client)
    phone = app["applicant"]["phone"]
    standin.fail_to(phone, code)
    drain(trt)
    [message] = outbound(trt, phone)
    assert (message.status, message.error_code) == ("failed", str(code))
    row = application_row(trt, app["id"])
    assert (row.state, row.handoff_reason) == ("handed_off", "delivery_failed")
    assert consent_row(trt, phone).undeliverable  # type: ignore[union-attr]
    file(client, applicant={"phone": phone})
    drain(trt)
    assert [m.status for m in outbound(trt, phone)] == ["failed", "suppressed"]
    assert standin.stats()["requests_by_to"][phone] == 1


def test_21610_marks_the_phone_opted_out(live_app: Flask, trt: Runtime, standin: TwilioStandIn) -> None:
    app = file(live_app.test_client())
    phone = app["applicant"]["phone"]
    standin.fail_to(phone, 21610)
    drain(trt)
    assert application_row(trt, app["id"]).state == "opted_out"
    assert consent_row(trt, phone).opted_out  # type: ignore[union-attr]


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (429, None)])
def test_rate_limits_retry_with_backoff_and_send_once(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, status: int, code: int | None
) -> None:
    phone = file(live_app.test_client())["applicant"]["phone"]
    standin.fail_next(1, http_status=status, error_code=code)
    drain(trt)
    [message] = outbound(trt, phone)
    assert message.status == "queued"
    assert message.send_after > utcnow()
    assert drain(trt) == 0  # waiting for its backoff
    drain(trt, now=later())
    assert outbound(trt, phone)[0].status in ("accepted", "sent", "delivered")  # callbacks may come first
    assert standin.stats()["created_by_to"][phone] == 1


@pytest.mark.parametrize("created", [True, False])
def test_a_5xx_is_reconciled_before_any_resend(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, created: bool
) -> None:
    phone = file(live_app.test_client())["applicant"]["phone"]
    standin.fail_next(1, http_status=500, created=created)
    drain(trt)
    assert outbound(trt, phone)[0].status == "sending"  # outcome unknown: leased, not resent
    drain(trt, now=later())
    [message] = outbound(trt, phone)
    assert message.status in ("accepted", "sent", "delivered")
    assert standin.stats()["created_by_to"][phone] == 1


@pytest.mark.parametrize("created", [True, False])
def test_a_read_timeout_is_reconciled_before_any_resend(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn, created: bool
) -> None:
    phone = file(live_app.test_client())["applicant"]["phone"]
    standin.delay_next(1, delay_ms=2500, created=created)  # the client gives up after 1 s
    drain(trt)
    assert outbound(trt, phone)[0].status == "sending"
    drain(trt, now=later())
    assert standin.stats()["created_by_to"][phone] == 1
    assert outbound(trt, phone)[0].provider_sid is not None


def test_a_refused_connection_is_retried_later(live_app: Flask, trt: Runtime, standin: TwilioStandIn) -> None:
    phone = file(live_app.test_client())["applicant"]["phone"]
    good = trt.settings.twilio_api_base_url
    trt.provider.client().api.base_url = "http://127.0.0.1:9"  # type: ignore[attr-defined]
    drain(trt)
    [message] = outbound(trt, phone)
    assert message.status == "queued" and message.attempts == 1
    trt.provider.client().api.base_url = good  # type: ignore[attr-defined]
    drain(trt, now=later())
    assert outbound(trt, phone)[0].status == "accepted"


def test_retries_stop_at_the_limit_and_hand_off(live_app: Flask, trt: Runtime, standin: TwilioStandIn) -> None:
    trt.settings.max_send_attempts = 2
    app = file(live_app.test_client())
    standin.fail_next(5, http_status=429, error_code=20429)
    drain(trt)
    drain(trt, now=later())
    [message] = outbound(trt, app["applicant"]["phone"])
    assert message.status == "failed"
    assert application_row(trt, app["id"]).handoff_reason == "delivery_failed"


def test_every_attempt_is_recorded(live_app: Flask, trt: Runtime, standin: TwilioStandIn) -> None:
    from sqlalchemy import select

    from smsbot.models import SendAttempt

    phone = file(live_app.test_client())["applicant"]["phone"]
    standin.fail_next(1, http_status=429, error_code=20429)
    drain(trt)
    drain(trt, now=later())
    with trt.sessions() as session:
        attempts = list(session.execute(select(SendAttempt.outcome, SendAttempt.error_code)).all())
    assert [tuple(a) for a in attempts] == [("retry", "20429"), ("sent", None)]
    assert outbound(trt, phone)[0].attempts == 2


def test_the_worker_holds_no_database_connection_during_the_http_call(
    live_app: Flask, trt: Runtime, standin: TwilioStandIn
) -> None:
    from smsbot.delivery.providers.base import OutboundSms, SendResult
    from smsbot.delivery.providers.twilio import TwilioProvider

    checked_out: list[int] = []

    class ObservedProvider(TwilioProvider):
        def send(self, sms: OutboundSms) -> SendResult:
            checked_out.append(trt.engine.pool.checkedout())  # type: ignore[attr-defined]
            return super().send(sms)

    trt.provider = ObservedProvider(trt.settings)
    standin.set_callback_mode("none")  # callbacks would check out connections in the web server's threads
    for _ in range(3):
        file(live_app.test_client())
    standin.wait_for_callbacks()
    assert drain(trt) == 3
    assert checked_out == [0, 0, 0]
