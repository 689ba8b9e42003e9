"""The JSON API fuzzed from its own OpenAPI document (schemathesis): valid and invalid requests alike get
no 5xx, and every refusal (4xx) leaves the database exactly as it was."""

from __future__ import annotations

import json
from decimal import Decimal

import schemathesis
from flask import Flask
from hypothesis import event, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from smsbot.dependencies import Runtime
from smsbot.intake.openapi import OPENAPI
from tests.factories import AUTH
from tests.fuzz import FUZZ, snapshot

URL = "/api/v1/applications"

SCHEMA = schemathesis.openapi.from_dict(OPENAPI)
FILING = SCHEMA["/api/v1/applications"]["POST"]
CASES = st.one_of(
    FILING.as_strategy(generation_mode=GenerationMode.POSITIVE),
    FILING.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    SCHEMA.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    SCHEMA.as_strategy(generation_mode=GenerationMode.POSITIVE),
)


@FUZZ
@given(case=CASES)
def test_fuzzed_api_requests_never_get_a_5xx_and_refusals_change_nothing(app: Flask, rt: Runtime, case) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(rt.engine)
    response = case.call(app=app, headers=AUTH)
    event(f"{case.method} {case.path} {response.status_code}")
    assert response.status_code < 500, (case.as_curl_command(), response.text)
    if response.status_code >= 400:
        assert snapshot(rt.engine) == before, case.as_curl_command()


LENDER = st.one_of(
    *(
        SCHEMA[path]["POST"].as_strategy(generation_mode=mode)
        for path in ("/api/v1/applications/{id}/decisions", "/api/v1/applications/{id}/phone")
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    )
)


@FUZZ
@given(case=LENDER)
def test_fuzzed_decisions_and_phone_changes_on_a_filed_application_never_get_a_5xx(  # type: ignore[no-untyped-def]
    app: Flask, rt: Runtime, case
) -> None:
    """Aimed at an application that exists, so the fuzzer reaches past the 404 into validation and the
    order and idempotency rules; every refusal leaves the database as it was."""
    filed = app.config.setdefault("FUZZ_APPLICATION", _file_one(app))
    case.path_parameters = {"id": filed}
    before = snapshot(rt.engine)
    response = case.call(app=app, headers=AUTH)
    event(f"{case.method} {case.path} {response.status_code}")
    assert response.status_code < 500, (case.as_curl_command(), response.text)
    if response.status_code >= 400:
        assert snapshot(rt.engine) == before, case.as_curl_command()


def _file_one(app: Flask) -> int:
    payload = {"external_id": "fuzz-1", "applicant": {"name": "张三", "phone": "+8613800000001", "locale": "zh-CN"}}
    response = app.test_client().post(URL, json=payload | {"amount": 50000}, headers=AUTH)
    return int(response.get_json()["id"])


def test_the_openapi_document_is_a_valid_schema_for_the_fuzzer() -> None:
    operations = {(op.ok().path, op.ok().method.upper()) for op in SCHEMA.get_all_operations()}
    assert ("/api/v1/applications", "POST") in operations
    assert ("/api/v1/applications/{id}/decisions", "POST") in operations
    assert ("/api/v1/applications/{id}/phone", "POST") in operations


GOOD = {
    "external_id": st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    "name": st.sampled_from(["张三", "欧阳娜娜", "Zhang San", "O'Brien"]),
    "phone": st.one_of(
        st.from_regex(r"\+86 ?1[3-9][0-9] ?[0-9]{4} ?[0-9]{4}", fullmatch=True),
        st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        st.sampled_from(["+86１３８７４０１３５６１", "+86١٣٨٧٤٠١٣٥٦١", "+85291234567"]),
    ),
    "locale": st.sampled_from(["zh-CN", "en"]),
    "timezone": st.sampled_from([None, "Asia/Shanghai", "Asia/Hong_Kong", "America/Argentina/Buenos_Aires"]),
    "amount": st.one_of(
        st.integers(min_value=1, max_value=10**7),
        st.decimals(min_value=Decimal("0.01"), max_value=10**7, places=2),
        st.sampled_from(["50000", "50000.00", "50,000", "1,234,567.8"]),
    ),
    "term_months": st.integers(1, 360),
    "purpose": st.sampled_from(["养殖", "进货", "school fees"]),
    "submitted_at": st.sampled_from(["2026-08-03T10:15:00+08:00", "2001-01-01T00:00:00-12:00", None]),
}
BAD = {
    "external_id": st.one_of(st.text(max_size=120), st.sampled_from(["a b", "ext\x00", "x" * 101])),
    "name": st.one_of(st.text(max_size=120), st.sampled_from(["", "张\x00三", "a\u200bb", "x" * 101, "\ud800"])),
    "phone": st.one_of(
        st.text(max_size=40),
        st.sampled_from(["+8613874013561\n", "+99912345678", "whatsapp:+85291234567", "1-800-FLOWERS"]),
    ),
    "locale": st.text(max_size=6),
    "timezone": st.one_of(st.text(max_size=70), st.sampled_from(["localtime", "Factory", "UTC", "../etc/passwd"])),
    "amount": st.one_of(
        st.integers(max_value=0),
        st.integers(min_value=10**7 + 1),
        # Signalling and negative NaN have no JSON spelling (they would test the JSON parser, not the amount).
        st.decimals(places=3, allow_nan=True).filter(
            lambda amount: not (amount.is_snan() or (amount.is_nan() and amount.is_signed()))
        ),
        st.text(max_size=20),
        st.booleans(),
    ),
    "term_months": st.one_of(st.integers(max_value=0), st.integers(min_value=361), st.text(max_size=3)),
    "purpose": st.one_of(st.text(max_size=220), st.sampled_from(["养殖\x00", "two\nlines"])),
    "submitted_at": st.one_of(
        st.datetimes().map(lambda moment: moment.isoformat() + "+08:00"),
        st.sampled_from(["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00", "2026-08-03T10:15:00"]),
        st.text(max_size=30),
    ),
}
APPLICANT = ("name", "phone", "locale", "timezone")


@st.composite
def filings(draw: st.DrawFn) -> dict:
    """A valid filing, or one with a single field made bad: every validator is reached, one at a time."""
    values = {name: draw(strategy) for name, strategy in GOOD.items()}
    bad = draw(st.none() | st.sampled_from(sorted(BAD)))
    if bad is not None:
        values[bad] = draw(BAD[bad])
    payload = {name: value for name, value in values.items() if name not in APPLICANT and value is not None}
    payload["applicant"] = {name: values[name] for name in APPLICANT}
    return payload


@FUZZ
@given(payload=filings())
def test_nearly_valid_filings_are_filed_or_refused_cleanly(app: Flask, rt: Runtime, payload: dict) -> None:
    """The schema alone rarely builds a valid filing (a valid phone number is a narrow target); these do."""
    before = snapshot(rt.engine)
    response = app.test_client().post(URL, data=as_json(payload), content_type="application/json", headers=AUTH)
    event(f"nearly valid {response.status_code}")
    assert response.status_code in (200, 201, 409, 422), response.get_json()
    if response.status_code >= 400:
        assert snapshot(rt.engine) == before
    else:
        assert response.get_json()["applicant"]["phone"].isascii()


def as_json(payload: dict) -> str:
    """The payload as JSON, a Decimal amount written as the number literal a lender's system would send."""
    amount = payload["amount"]
    if not isinstance(amount, Decimal):
        return json.dumps(payload)
    return json.dumps(payload | {"amount": "@amount@"}).replace('"@amount@"', str(amount))
