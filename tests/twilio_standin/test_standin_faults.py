"""Injected faults reach the real twilio client as Twilio's would; the control API drives them."""

from __future__ import annotations

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.twilio_standin import FaultError, TwilioStandIn
from tests.twilio_standin.conftest import close_client, make_client

SENDER = "+15005550000"


def send(client: Client, to: str) -> str:
    return client.messages.create(to=to, from_=SENDER, body="Hi").sid


@pytest.mark.parametrize("code", [21211, 21610, 21612, 21614, 21635, 21611])
def test_injected_recipient_error_surfaces_as_rest_exception_with_its_code(
    standin: TwilioStandIn, client: Client, code: int
) -> None:
    standin.fail_to("+15551250001", code)

    with pytest.raises(TwilioRestException) as raised:
        send(client, "+15551250001")

    assert (raised.value.code, raised.value.status) == (code, 400)
    assert standin.messages() == []
    send(client, "+15551250002")


def test_unsubscribed_recipient_gets_twilios_wording(standin: TwilioStandIn, client: Client) -> None:
    standin.fail_to("+15551250003", 21610)

    with pytest.raises(TwilioRestException) as raised:
        send(client, "+15551250003")

    assert "Attempt to send to unsubscribed recipient" in raised.value.msg


def test_rate_limit_fails_only_the_next_creates(standin: TwilioStandIn, client: Client) -> None:
    standin.fail_next(2, http_status=429, error_code=20429)

    codes = []
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            send(client, "+15551250004")
        codes.append((raised.value.code, raised.value.status))
    send(client, "+15551250004")

    assert codes == [(20429, 429), (20429, 429)]
    assert standin.stats()["created_messages"] == 1


def test_server_error_without_creation_stores_nothing(standin: TwilioStandIn, client: Client) -> None:
    standin.fail_next(1, http_status=500)

    with pytest.raises(TwilioRestException) as raised:
        send(client, "+15551250005")

    assert (raised.value.code, raised.value.status) == (20500, 500)
    assert client.messages.list(to="+15551250005") == []


def test_server_error_after_creation_leaves_a_message_to_reconcile(standin: TwilioStandIn, client: Client) -> None:
    standin.fail_next(1, http_status=500, created=True)

    with pytest.raises(TwilioRestException):
        send(client, "+15551250006")

    (found,) = client.messages.list(to="+15551250006")
    assert found.body == "Hi"
    assert standin.stats()["create_requests"] == 1


@pytest.mark.parametrize("created", [True, False])
def test_slow_response_makes_the_client_time_out(standin: TwilioStandIn, created: bool) -> None:
    assert standin.base_url is not None
    impatient = make_client(standin.base_url, timeout=0.2)
    standin.delay_next(1, 2000, created=created)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            send(impatient, "+15551250007")
        stored = [m for m in standin.messages() if m["to"] == "+15551250007"]
        assert len(stored) == (1 if created else 0)
        send(impatient, "+15551250008")
    finally:
        close_client(impatient)


def test_unusable_fault_specs_are_refused(standin: TwilioStandIn) -> None:
    unusable: list[dict[str, object]] = [
        {"to": "+1555", "error_code": 99999},
        {"next": 1},
        {"callback_mode": "sideways"},
        {"bogus": 1},
    ]
    for spec in unusable:
        with pytest.raises(FaultError):
            standin.add_fault(spec)


def test_control_api_injects_and_clears_faults_over_plain_http(standin: TwilioStandIn, client: Client) -> None:
    control = f"{standin.base_url}/_control"
    with requests.Session() as http:
        added = http.post(f"{control}/faults", json={"to": "+15551250009", "error_code": 21610}, timeout=5)
        with pytest.raises(TwilioRestException) as raised:
            send(client, "+15551250009")
        cleared = http.delete(f"{control}/faults", timeout=5)
        send(client, "+15551250009")
        refused = http.post(f"{control}/faults", json={"next": 1, "http_status": 200}, timeout=5)

    assert added.status_code == 200
    assert added.json()["recipients"]["+15551250009"]["error_code"] == 21610
    assert raised.value.code == 21610
    assert cleared.json()["recipients"] == {}
    assert refused.status_code == 400


def test_control_api_reports_messages_requests_and_stats(standin: TwilioStandIn, client: Client) -> None:
    standin.fail_to("+15551250010", 21614)
    sid = send(client, "+15551250011")
    with pytest.raises(TwilioRestException):
        send(client, "+15551250010")

    with requests.Session() as http:
        messages = http.get(f"{standin.base_url}/_control/messages", timeout=5).json()["messages"]
        recorded = http.get(f"{standin.base_url}/_control/requests", timeout=5).json()["requests"]
        stats = http.get(f"{standin.base_url}/_control/stats", timeout=5).json()

    assert [m["sid"] for m in messages] == [sid]
    assert [r["form"]["To"] for r in recorded] == ["+15551250011", "+15551250010"]
    assert recorded[1]["error_code"] == 21614
    assert (stats["create_requests"], stats["created_messages"], stats["rejected_requests"]) == (2, 1, 1)
    assert stats["requests_by_to"] == {"+15551250011": 1, "+15551250010": 1}
    assert stats["created_by_to"] == {"+15551250011": 1}


def test_control_api_sets_callback_mode_and_sends_callbacks_on_demand(standin: TwilioStandIn, client: Client) -> None:
    control = f"{standin.base_url}/_control"
    with requests.Session() as http:
        mode = http.post(f"{control}/faults", json={"callback_mode": "none", "callback_delay_ms": 5}, timeout=5)
        sid = send(client, "+15551250012")
        no_url = http.post(f"{control}/callbacks/{sid}", json={"status": "delivered"}, timeout=5)
        unknown = http.post(f"{control}/callbacks/SM{'0' * 32}", json={"status": "delivered"}, timeout=5)
        idle = http.post(f"{control}/callbacks/wait", json={"timeout": 5}, timeout=10)

    assert (mode.json()["callback_mode"], mode.json()["callback_delay_ms"]) == ("none", 5)
    assert (no_url.status_code, unknown.status_code) == (404, 404)
    assert idle.json() == {"idle": True}


def test_reset_forgets_messages_requests_and_faults(standin: TwilioStandIn, client: Client) -> None:
    standin.fail_next(1, http_status=500)
    with pytest.raises(TwilioRestException):
        send(client, "+15551250013")
    send(client, "+15551250013")
    standin.fail_to("+15551250013", 21610)

    reset = requests.post(f"{standin.base_url}/_control/reset", timeout=5)

    assert reset.json() == {"reset": True}
    assert (standin.messages(), standin.requests()) == ([], [])
    assert standin.faults_json()["recipients"] == {}
    send(client, "+15551250013")
