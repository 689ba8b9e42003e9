"""The stand-in answers the real twilio client the way Twilio's Messages API does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.twilio_standin import TwilioStandIn
from tests.twilio_standin.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, close_client, make_client
from tests.twilio_standin.formats import count_segments

SENDER = "+15005550000"
# Twilio's own description of the Messages resource (MIT, see LICENSE-twilio-oai beside it).
OPENAPI = Path(__file__).with_name("messages-openapi.json")
MESSAGE_FIELDS = {
    "account_sid", "api_version", "body", "date_created", "date_sent", "date_updated", "direction",
    "error_code", "error_message", "from", "messaging_service_sid", "num_media", "num_segments",
    "price", "price_unit", "sid", "status", "subresource_uris", "to", "uri",
}  # fmt: skip


def test_create_with_from_returns_a_queued_outbound_message(client: Client) -> None:
    message = client.messages.create(to="+15551230001", from_=SENDER, body="Hello")

    assert re.fullmatch(r"SM[0-9a-f]{32}", message.sid)
    assert (message.status, message.direction, message.api_version) == (
        "queued",
        "outbound-api",
        "2010-04-01",
    )
    assert (message.to, message.from_, message.body, message.num_segments) == (
        "+15551230001",
        SENDER,
        "Hello",
        "1",
    )
    assert message.account_sid == ACCOUNT_SID
    assert message.price is None and message.error_code is None
    assert isinstance(message.date_created, datetime) and message.date_created.tzinfo is not None
    assert message.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message.sid}.json"


def test_created_message_has_every_field_of_the_openapi_schema(standin: TwilioStandIn) -> None:
    response = requests.post(
        f"{standin.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        data={"To": "+15551230001", "From": SENDER, "Body": "Hi"},
        auth=(ACCOUNT_SID, AUTH_TOKEN),
        timeout=5,
    )
    body = response.json()

    assert response.status_code == 201
    assert set(body) == MESSAGE_FIELDS
    schema = json.loads(OPENAPI.read_text())["components"]["schemas"]["api.v2010.account.message"]
    assert set(body) == set(schema["properties"])
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000", body["date_created"])
    assert body["subresource_uris"]["media"].endswith(f"/Messages/{body['sid']}/Media.json")


def test_create_with_messaging_service_is_accepted_without_a_from(client: Client) -> None:
    message = client.messages.create(to="+15551230002", messaging_service_sid=SERVICE_SID, body="Hi")

    assert (message.status, message.messaging_service_sid, message.from_) == ("accepted", SERVICE_SID, None)


def test_every_create_request_form_is_recorded(standin: TwilioStandIn, client: Client) -> None:
    client.messages.create(
        to="+15551230003", messaging_service_sid=SERVICE_SID, body="Hi", status_callback="http://x.test/s"
    )
    with pytest.raises(TwilioRestException):
        client.messages.create(to="+15551230003", body="no sender")

    first, second = standin.requests()
    assert first["form"] == {
        "To": "+15551230003",
        "MessagingServiceSid": SERVICE_SID,
        "Body": "Hi",
        "StatusCallback": "http://x.test/s",
    }
    assert (first["http_status"], second["http_status"], second["error_code"]) == (201, 400, 21603)


@pytest.mark.parametrize(
    ("to", "sender", "body", "code"),
    [
        ("+15551230004", None, "Hi", 21603),
        ("+15551230004", SENDER, "", 21602),
        ("+15551230004", SENDER, "x" * 1601, 21617),
        ("555-1234", SENDER, "Hi", 21211),
        ("+15551230004", "not a number!", "Hi", 21212),
    ],
)
def test_invalid_create_is_rejected_with_twilios_error_code(
    client: Client, to: str, sender: str | None, body: str, code: int
) -> None:
    arguments = {"to": to, "body": body} | ({"from_": sender} if sender else {})

    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(**arguments)

    assert (raised.value.code, raised.value.status) == (code, 400)


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),
        ("{" * 81, 2),
        ("ж" * 70, 1),
        ("ж" * 71, 2),
        ("ж" * 134, 2),
        ("😀" * 35, 1),
        ("😀" * 36, 2),
    ],
)
def test_segments_are_counted_as_gsm7_or_ucs2(body: str, segments: int) -> None:
    assert count_segments(body) == segments


def test_unicode_body_reports_ucs2_segments_to_the_client(client: Client) -> None:
    message = client.messages.create(to="+15551230005", from_=SENDER, body="Привет " * 12)

    assert message.num_segments == "2"


def test_wrong_credentials_are_refused_with_code_20003(standin: TwilioStandIn) -> None:
    assert standin.base_url is not None
    intruder = make_client(standin.base_url, token="wrong-token")
    try:
        with pytest.raises(TwilioRestException) as raised:
            intruder.messages.create(to="+15551230006", from_=SENDER, body="Hi")
    finally:
        close_client(intruder)

    assert (raised.value.code, raised.value.status) == (20003, 401)
    assert standin.requests() == []


def test_another_accounts_path_is_not_found(standin: TwilioStandIn) -> None:
    other = "AC" + "9" * 32
    response = requests.get(
        f"{standin.base_url}/2010-04-01/Accounts/{other}/Messages.json",
        auth=(ACCOUNT_SID, AUTH_TOKEN),
        timeout=5,
    )

    assert response.status_code == 404
    assert response.json()["code"] == 20404


def test_fetch_returns_the_stored_message(client: Client) -> None:
    created = client.messages.create(to="+15551230007", from_=SENDER, body="Fetch me")

    fetched = client.messages(created.sid).fetch()

    assert (fetched.sid, fetched.body, fetched.to) == (created.sid, "Fetch me", "+15551230007")


def test_fetching_an_unknown_sid_is_not_found(client: Client) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.messages("SM" + "0" * 32).fetch()

    assert (raised.value.code, raised.value.status) == (20404, 404)


def test_list_filters_by_recipient_and_sent_date(client: Client) -> None:
    for n in range(3):
        client.messages.create(to="+15551230008", from_=SENDER, body=f"mine {n}")
    client.messages.create(to="+15551239999", from_=SENDER, body="someone else")
    yesterday = datetime.now(UTC) - timedelta(days=1)

    mine = client.messages.list(to="+15551230008", date_sent_after=yesterday)
    today = client.messages.list(to="+15551230008", date_sent=date.today())
    before_yesterday = client.messages.list(to="+15551230008", date_sent_before=yesterday)

    assert [m.body for m in mine] == ["mine 2", "mine 1", "mine 0"]
    assert len(today) == 3
    assert before_yesterday == []


def test_stream_walks_every_page_without_repeats(client: Client) -> None:
    for n in range(7):
        client.messages.create(to="+15551230009", from_=SENDER, body=f"m{n}")

    streamed = [m.body for m in client.messages.stream(to="+15551230009", page_size=3)]

    assert streamed == [f"m{n}" for n in reversed(range(7))]


def test_list_page_has_twilios_paging_fields(standin: TwilioStandIn, client: Client) -> None:
    for n in range(3):
        client.messages.create(to="+15551230010", from_=SENDER, body=f"m{n}")

    page = requests.get(
        f"{standin.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        params={"To": "+15551230010", "DateSent>": "2008-01-02", "PageSize": "2"},
        auth=(ACCOUNT_SID, AUTH_TOKEN),
        timeout=5,
    ).json()

    assert (page["page"], page["page_size"], page["start"], page["end"]) == (0, 2, 0, 1)
    assert page["previous_page_uri"] is None
    assert page["first_page_uri"] == page["uri"]
    assert "DateSent%3E=2008-01-02" in page["uri"] and "&Page=1&PageToken=PA" in page["next_page_uri"]
    assert len(page["messages"]) == 2


def test_client_reuses_one_keep_alive_connection(standin: TwilioStandIn, client: Client) -> None:
    for n in range(20):
        client.messages.create(to="+15551230011", from_=SENDER, body=f"m{n}")

    assert len(standin._server.connections) == 1  # type: ignore[union-attr]


def test_standin_runs_as_its_own_process() -> None:
    command = [sys.executable, "-m", "tests.twilio_standin", "--port", "0"]
    command += ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line.startswith("listening on http://127.0.0.1:")
            remote = make_client(line.removeprefix("listening on "))
            message = remote.messages.create(to="+15551230012", from_=SENDER, body="Hi")
            close_client(remote)
            assert message.status == "queued"
        finally:
            process.terminate()
            process.wait(timeout=5)
    assert process.returncode == 0
