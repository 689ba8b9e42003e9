"""Attacks on the filing API that once answered 500: each now gets a clear 4xx and changes nothing."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.factories import AUTH, application_payload, file

URL = "/api/v1/applications"


def count_applications(client: FlaskClient) -> int:
    return len(client.get(URL, headers=AUTH).get_json()["applications"])


def post(client: FlaskClient, payload: object):  # type: ignore[no-untyped-def]
    return client.post(URL, json=payload, headers=AUTH)


def with_change(change: dict) -> dict:
    payload, change = application_payload(), dict(change)
    if "applicant" in change:
        payload["applicant"] |= change.pop("applicant")
    return payload | change


@pytest.mark.parametrize("depth", [1_000, 50_000])
def test_deeply_nested_json_is_400_and_stores_nothing(client: FlaskClient, depth: int) -> None:
    body = '{"external_id": ' + "[" * depth + "]" * depth + "}"
    response = client.post(URL, data=body, content_type="application/json", headers=AUTH)
    assert response.status_code == 400
    assert "nested" in response.get_json()["error"]
    assert count_applications(client) == 0


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+08:00",
        "0001-01-01T00:00:00-08:00",
        "9999-12-31T23:59:59-08:00",
        "9999-12-31T23:59:59+08:00",
        "1999-12-31T23:59:59+00:00",
        "2999-01-01T00:00:00+00:00",
    ],
)
def test_a_submitted_at_outside_a_sane_range_is_422(client: FlaskClient, moment: str) -> None:
    response = post(client, with_change({"submitted_at": moment}))
    assert response.status_code == 422, response.get_json()
    assert "submitted_at" in response.get_json()["errors"]
    assert count_applications(client) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "养殖\x00"}, "purpose"),
        ({"purpose": "养\x07殖"}, "purpose"),
        ({"purpose": "line\nbreak"}, "purpose"),
        ({"applicant": {"name": "张\x00三"}}, "applicant.name"),
        ({"applicant": {"name": "张\u200b三"}}, "applicant.name"),
        ({"external_id": "ext\x00-1"}, "external_id"),
        ({"applicant": {"timezone": "Asia/Shanghai\x00"}}, "applicant.timezone"),
        ({"currency": "CNY\n"}, "currency"),
        ({"applicant": {"phone": "+8613874013561\x00"}}, "applicant.phone"),
        ({"purpose": "\ud800"}, "purpose"),
    ],
)
def test_control_characters_in_any_text_field_are_422_naming_the_field(
    client: FlaskClient, change: dict, field: str
) -> None:
    body = json.dumps(with_change(change))  # escapes a lone surrogate, which the client could not encode
    response = client.post(URL, data=body, content_type="application/json", headers=AUTH)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count_applications(client) == 0


@pytest.mark.parametrize("phone", ["+99912345678", "+8612345", "+1 555", "whatsapp:+85291234567", "+86" + "1" * 40])
def test_a_phone_that_is_not_a_valid_number_is_422(client: FlaskClient, phone: str) -> None:
    response = post(client, with_change({"applicant": {"phone": phone}}))
    assert response.status_code == 422, response.get_json()
    assert "applicant.phone" in response.get_json()["errors"]
    assert count_applications(client) == 0


@pytest.mark.parametrize("again", [50000, "50000", "50000.00", "50,000"])
def test_the_same_amount_written_another_way_is_the_same_content(client: FlaskClient, again: object) -> None:
    payload = application_payload(amount=json.loads("50000.00"))
    assert post(client, payload).status_code == 201
    response = post(client, payload | {"amount": again})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["messages"]) == 1


def test_an_amount_sent_as_a_float_literal_equals_its_integer(client: FlaskClient) -> None:
    payload = application_payload(amount=50000)
    assert post(client, payload).status_code == 201
    body = json.dumps(payload | {"amount": "@"}).replace('"@"', "50000.0")
    response = client.post(URL, data=body, content_type="application/json", headers=AUTH)
    assert response.status_code == 200


def test_another_amount_is_other_content(client: FlaskClient) -> None:
    payload = application_payload(amount=50000)
    assert post(client, payload).status_code == 201
    body = json.dumps(payload | {"amount": "@"}).replace('"@"', "50000.5")
    assert client.post(URL, data=body, content_type="application/json", headers=AUTH).status_code == 409


@pytest.mark.parametrize("amount", ["5e4", "50000.001", " 50000", "５００００", "NaN", "-1", "1,0000"])
def test_an_amount_string_must_be_a_plain_decimal(client: FlaskClient, amount: str) -> None:
    response = post(client, with_change({"amount": amount}))
    assert response.status_code == 422
    assert "amount" in response.get_json()["errors"]


@pytest.mark.parametrize("zone", ["localtime", "Factory", "UTC", "Etc/GMT+8", "GMT", "PRC", "posixrules", "US/Eastern"])
def test_a_timezone_must_be_an_iana_area_and_location(client: FlaskClient, zone: str) -> None:
    response = post(client, with_change({"applicant": {"timezone": zone}}))
    assert response.status_code == 422
    assert "applicant.timezone" in response.get_json()["errors"]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/Argentina/Buenos_Aires", "Asia/Hong_Kong"])
def test_area_location_timezones_are_accepted(client: FlaskClient, zone: str) -> None:
    assert file(client, applicant={"timezone": zone})["applicant"]["timezone"] == zone


@pytest.mark.parametrize("row_id", ["0", "2147483648", "9223372036854775808", "99999999999999999999999"])
def test_an_id_past_what_the_database_holds_is_a_plain_404(client: FlaskClient, row_id: str) -> None:
    """PostgreSQL refuses an integer past 2**31-1 and SQLite one past 2**63-1: the URL stops them first."""
    assert client.get(f"{URL}/{row_id}", headers=AUTH).status_code == 404
    assert client.get(f"/staff/c/{row_id}").status_code in (302, 404)  # not logged in: the login page, never a 500
