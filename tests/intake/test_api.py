"""The filing API: PRODUCT.md's contract for POST/GET /api/v1/applications."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from tests.factories import AUTH, application, application_payload, file


def count_applications(client: FlaskClient) -> int:
    return len(client.get("/api/v1/applications", headers=AUTH).get_json()["applications"])


def test_filing_returns_201_and_queues_one_notice(client: FlaskClient) -> None:
    body = file(client)
    assert body["state"] == "awaiting_confirmation"
    assert body["handoff_reason"] is None
    [notice] = body["messages"]
    assert (notice["direction"], notice["kind"], notice["status"]) == ("out", "notice", "queued")
    assert "张*" in notice["body"] and "5万元" in notice["body"] and "8月3日10:15" in notice["body"]
    assert body["transitions"][0]["event"] == "file"


def test_same_external_id_and_content_returns_the_same_application_and_sends_nothing(
    client: FlaskClient,
) -> None:
    payload = application_payload()
    first = client.post("/api/v1/applications", json=payload, headers=AUTH)
    again = client.post("/api/v1/applications", json=payload, headers=AUTH)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert len(again.get_json()["messages"]) == 1


def test_same_external_id_with_different_content_is_409(client: FlaskClient) -> None:
    payload = application_payload()
    client.post("/api/v1/applications", json=payload, headers=AUTH)
    response = client.post("/api/v1/applications", json=payload | {"amount": 60000}, headers=AUTH)
    assert response.status_code == 409
    assert count_applications(client) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": -5}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 10**12}, "amount"),
        ({"amount": "5万"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": 100.123}, "amount"),
        ({"term_months": "12"}, "term_months"),
        ({"term_months": 0}, "term_months"),
        ({"applicant": {"phone": "1380013800"}}, "applicant.phone"),
        ({"applicant": {"phone": "+86 138 0013 8000 ext 1"}}, "applicant.phone"),
        ({"applicant": {"locale": "fr"}}, "applicant.locale"),
        ({"applicant": {"timezone": "Mars/Olympus"}}, "applicant.timezone"),
        ({"applicant": {"name": ""}}, "applicant.name"),
        ({"submitted_at": "2026-08-03T10:15:00"}, "submitted_at"),
        ({"submitted_at": "yesterday"}, "submitted_at"),
        ({"currency": "rmb"}, "currency"),
        ({"unexpected": 1}, "unexpected"),
        ({"external_id": ""}, "external_id"),
    ],
)
def test_bad_fields_are_422_with_one_message_per_field_and_store_nothing(
    client: FlaskClient, change: dict, field: str
) -> None:
    payload, change = application_payload(), dict(change)
    if "applicant" in change:
        payload["applicant"] |= change.pop("applicant")
    response = client.post("/api/v1/applications", json=payload | change, headers=AUTH)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert count_applications(client) == 0


def test_missing_fields_are_each_named(client: FlaskClient) -> None:
    response = client.post("/api/v1/applications", json={"applicant": {}}, headers=AUTH)
    errors = response.get_json()["errors"]
    assert response.status_code == 422
    assert {"external_id", "amount", "applicant.name", "applicant.phone", "applicant.locale"} <= set(errors)


@pytest.mark.parametrize("body", ["{not json", "", "[1, 2", '{"a": NaN'])
def test_malformed_json_is_400_and_stores_nothing(client: FlaskClient, body: str) -> None:
    response = client.post("/api/v1/applications", data=body, content_type="application/json", headers=AUTH)
    assert response.status_code in (400, 422)
    assert "error" in response.get_json()
    assert count_applications(client) == 0


def test_a_json_array_is_refused(client: FlaskClient) -> None:
    response = client.post("/api/v1/applications", data=json.dumps([1]), content_type="application/json", headers=AUTH)
    assert response.status_code == 422


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-api-token"}])
def test_missing_or_wrong_token_is_401(client: FlaskClient, headers: dict) -> None:
    assert client.post("/api/v1/applications", json=application_payload(), headers=headers).status_code == 401
    assert client.get("/api/v1/applications/1", headers=headers).status_code == 401


def test_oversized_body_is_refused(client: FlaskClient) -> None:
    payload = application_payload(purpose="x" * 300_000)
    assert client.post("/api/v1/applications", json=payload, headers=AUTH).status_code == 413


def test_get_returns_messages_corrections_and_history(client: FlaskClient) -> None:
    created = file(client)
    body = application(client, created["id"])
    assert set(body) >= {"state", "handoff_reason", "messages", "corrections", "transitions"}
    assert body["messages"][0].keys() >= {"direction", "body", "status", "created_at", "sent_at"}


def test_unknown_application_is_404(client: FlaskClient) -> None:
    assert client.get("/api/v1/applications/999", headers=AUTH).status_code == 404


@pytest.mark.parametrize("path", ["/applications/abc", "/applications/-1", "/applications/" + "9" * 30, "/nothing"])
def test_an_api_url_that_matches_nothing_answers_404_in_json(client: FlaskClient, path: str) -> None:
    response = client.get("/api/v1" + path, headers=AUTH)
    assert (response.status_code, response.is_json) == (404, True)
    assert response.get_json()["error"] == "no such resource"


def test_a_wrong_method_on_the_api_answers_405_in_json(client: FlaskClient) -> None:
    response = client.delete("/api/v1/applications", headers=AUTH)
    assert (response.status_code, response.get_json()["error"]) == (405, "method not allowed")


def test_the_site_outside_the_api_keeps_its_pages_for_404(client: FlaskClient) -> None:
    assert client.get("/no-such-page").is_json is False


@pytest.mark.parametrize("query", ["cursor=zzz", "state=confirmed&page=2", "State=confirmed"])
def test_an_unknown_list_parameter_is_422_and_named(client: FlaskClient, query: str) -> None:
    response = client.get("/api/v1/applications?" + query, headers=AUTH)
    assert response.status_code == 422
    assert set(response.get_json()["errors"].values()) == {"unknown parameter"}


def test_list_filters_by_state_and_refuses_unknown_states(client: FlaskClient) -> None:
    file(client)
    listed = client.get("/api/v1/applications?state=awaiting_confirmation", headers=AUTH).get_json()
    assert len(listed["applications"]) == 1
    assert client.get("/api/v1/applications?state=confirmed", headers=AUTH).get_json()["applications"] == []
    assert client.get("/api/v1/applications?state=bogus", headers=AUTH).status_code == 422


def test_openapi_document_is_served_without_a_token(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/applications" in document["paths"]
