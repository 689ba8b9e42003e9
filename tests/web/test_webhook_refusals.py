"""Signed webhooks with strange fields: never a 500, an opt-out is never lost, what cannot be stored is a 400."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from smsbot.delivery.status_callbacks import ERROR_CODE_CHARS
from smsbot.dependencies import Runtime
from smsbot.models import DeliveryEvent, Message, PhoneConsent
from tests.factories import application, file, new_phone, signature, twilio_form

SMS = "/webhooks/twilio/sms"
STATUS = "/webhooks/twilio/status"


def post_signed(client: FlaskClient, path: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature(path, form)})


def message_count(rt: Runtime) -> int:
    with rt.sessions() as session:
        return int(session.execute(select(func.count()).select_from(Message)).scalar_one())


@pytest.mark.parametrize("body", ["请别再发\x00", "\x00退订", "STOP\x00\x01", "T\x7f"])
def test_an_opt_out_with_control_characters_still_opts_out(client: FlaskClient, rt: Runtime, body: str) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    assert post_signed(client, SMS, twilio_form(phone, body)).status_code == 200
    assert application(client, app["id"])["state"] == "opted_out"
    with rt.sessions() as session:
        consent = session.get(PhoneConsent, phone)
        assert consent is not None and consent.opted_out
        [inbound] = session.execute(select(Message).where(Message.direction == "in")).scalars()
        assert "\x00" not in inbound.body


def test_a_reply_with_a_nul_is_stored_without_it_and_read(client: FlaskClient) -> None:
    app = file(client)
    assert post_signed(client, SMS, twilio_form(app["applicant"]["phone"], "1\x00")).status_code == 200
    stored = application(client, app["id"])
    assert stored["state"] == "confirmed"
    assert [m["body"] for m in stored["messages"] if m["direction"] == "in"] == ["1"]


@pytest.mark.parametrize(
    "sender", ["whatsapp:+85291234567", "+852912345678901234567890", "ExampleBank", "95588", "+99912345678"]
)
def test_a_from_that_is_not_a_phone_is_acknowledged_and_changes_nothing(
    client: FlaskClient, rt: Runtime, sender: str
) -> None:
    before = message_count(rt)
    response = post_signed(client, SMS, twilio_form(sender, "STOP"))
    assert response.status_code == 200
    assert message_count(rt) == before


def test_a_from_in_national_or_look_alike_form_is_stored_as_e164(client: FlaskClient, rt: Runtime) -> None:
    app = file(client, applicant={"phone": "+8613874013599"})
    assert post_signed(client, SMS, twilio_form("+86１３８７４０１３５９９", "TD")).status_code == 200
    assert application(client, app["id"])["state"] == "opted_out"
    with rt.sessions() as session:
        assert set(session.execute(select(Message.phone)).scalars()) == {"+8613874013599"}


def test_a_message_sid_longer_than_the_column_is_400_and_stores_nothing(client: FlaskClient, rt: Runtime) -> None:
    app = file(client)
    before = message_count(rt)
    form = twilio_form(app["applicant"]["phone"], "1", sid="SM" + "a" * 63)
    assert post_signed(client, SMS, form).status_code == 400
    assert message_count(rt) == before


def status_form(sid: str, **extra: str) -> dict[str, str]:
    return {"MessageSid": sid, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32} | extra


def delivery_events(rt: Runtime) -> list[DeliveryEvent]:
    with rt.sessions() as session:
        return list(session.execute(select(DeliveryEvent)).scalars())


@pytest.mark.parametrize(
    "extra",
    [
        {"ErrorCode": "3" * (ERROR_CODE_CHARS + 1)},
        {"ErrorCode": "30003\x00"},
        {"MessageStatus": "d\x00elivered"},
        {"MessageStatus": "x" * 200},
        {"MessageStatus": "DELIVERED"},
        {"MessageStatus": "ünknown"},
        {"ErrorMessage": "\x00" * 10},
    ],
)
def test_an_odd_status_callback_is_stored_and_never_500(client: FlaskClient, rt: Runtime, extra: dict) -> None:
    sid = "SM" + "b" * 32
    response = post_signed(client, STATUS, status_form(sid, **extra))
    assert response.status_code == 200
    [event] = delivery_events(rt)
    assert event.provider_sid == sid
    assert "\x00" not in event.payload and "\x00" not in event.status
    assert event.error_code is None or len(event.error_code) <= ERROR_CODE_CHARS


def test_a_status_callback_whose_sid_cannot_be_stored_is_400(client: FlaskClient, rt: Runtime) -> None:
    assert post_signed(client, STATUS, status_form("SM" + "c" * 80)).status_code == 400
    assert delivery_events(rt) == []


def test_an_unknown_phone_with_a_nul_gets_stored(client: FlaskClient, rt: Runtime) -> None:
    phone = new_phone()
    assert post_signed(client, SMS, twilio_form(phone, "hi\x00")).status_code == 200
    with rt.sessions() as session:
        bodies = session.execute(select(Message.body).where(Message.direction == "in")).scalars()
        assert list(bodies) == ["hi"]
