"""The inbound-SMS webhook: signature, idempotency, routing, bad input."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN, PUBLIC_URL
from tests.factories import AUTH, application, file, new_phone, send_sms, signature, twilio_form

PATH = "/webhooks/twilio/sms"


def inbound_count(client: FlaskClient, app_id: int) -> int:
    return sum(m["direction"] == "in" for m in application(client, app_id)["messages"])


def test_signed_reply_is_stored_and_answered_with_empty_twiml(client: FlaskClient) -> None:
    app = file(client)
    response = send_sms(client, app["applicant"]["phone"], "1")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert b"<Response></Response>" in response.data
    assert inbound_count(client, app["id"]) == 1


@pytest.mark.parametrize("header", [None, "", "bm90IGEgc2lnbmF0dXJl", "签名ÿ" * 7])
def test_missing_or_forged_signature_is_403_and_stores_nothing(client: FlaskClient, header: str | None) -> None:
    app = file(client)
    form = twilio_form(app["applicant"]["phone"], "1")
    headers = {} if header is None else {"X-Twilio-Signature": header}
    assert client.post(PATH, data=form, headers=headers).status_code == 403
    assert inbound_count(client, app["id"]) == 0
    assert application(client, app["id"])["state"] == "awaiting_confirmation"


def test_signature_over_other_params_is_refused(client: FlaskClient) -> None:
    app = file(client)
    form = twilio_form(app["applicant"]["phone"], "2")
    signed = signature(PATH, form)
    assert client.post(PATH, data=form | {"Body": "1"}, headers={"X-Twilio-Signature": signed}).status_code == 403


def test_signature_over_the_url_with_its_default_port_is_accepted(client: FlaskClient) -> None:
    """Twilio signs some requests with :443 in the URL; the library's full check accepts both forms."""
    app = file(client)
    form = twilio_form(app["applicant"]["phone"], "1")
    signed = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + ":443" + PATH, form)
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": signed}).status_code == 200
    assert application(client, app["id"])["state"] == "confirmed"


def test_signature_made_with_another_token_is_refused(client: FlaskClient) -> None:
    form = twilio_form(new_phone(), "1")
    bad = signature(PATH, form, token="someone-else")
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": bad}).status_code == 403


def test_signature_covers_the_query_string(client: FlaskClient) -> None:
    app = file(client)
    form = twilio_form(app["applicant"]["phone"], "1")
    path = PATH + "?tenant=a%20b"
    ok = client.post(path, data=form, headers={"X-Twilio-Signature": signature(path, form)})
    assert ok.status_code == 200
    wrong = client.post(PATH + "?tenant=other", data=form, headers={"X-Twilio-Signature": signature(path, form)})
    assert wrong.status_code == 403


def test_a_retried_message_sid_changes_nothing(client: FlaskClient) -> None:
    app = file(client)
    phone = app["applicant"]["phone"]
    first = send_sms(client, phone, "2", sid="SM" + "a" * 32)
    before = application(client, app["id"])
    again = send_sms(client, phone, "2", sid="SM" + "a" * 32)
    after = application(client, app["id"])
    assert (first.status_code, again.status_code) == (200, 200)
    assert after["messages"] == before["messages"]
    assert after["transitions"] == before["transitions"]


def test_a_reply_from_an_unknown_phone_is_stored_and_answered_politely_once(client: FlaskClient, rt) -> None:
    from sqlalchemy import select

    from smsbot.models import Message

    phone = new_phone()
    assert send_sms(client, phone, "hello?").status_code == 200
    assert send_sms(client, phone, "anyone?").status_code == 200
    with rt.sessions() as session:
        rows = list(session.execute(select(Message).where(Message.phone == phone)).scalars())
    assert [m.direction for m in rows].count("in") == 2
    assert [m.kind for m in rows if m.direction == "out"] == ["no_application"]


@pytest.mark.parametrize(
    "form",
    [
        {"From": "+8613800000000", "Body": "1"},
        {"MessageSid": "SM" + "1" * 32, "Body": "1"},
        {"MessageSid": "SM" + "2" * 32, "From": "+8613800000000", "Body": "x" * 1601},
    ],
)
def test_incomplete_or_oversized_webhooks_are_400(client: FlaskClient, form: dict) -> None:
    assert client.post(PATH, data=form, headers={"X-Twilio-Signature": signature(PATH, form)}).status_code == 400


def test_api_and_webhook_errors_never_500_on_garbage(client: FlaskClient) -> None:
    assert client.post(PATH, data=b"\xff\xfe", content_type="application/x-www-form-urlencoded").status_code == 403
    response = client.post("/api/v1/applications", data=b"\xff\xfe", content_type="application/json", headers=AUTH)
    assert response.status_code == 400
