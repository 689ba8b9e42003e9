"""What the staff pages show: the queue and its filters, the conversation, escaping, CSP and both languages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from smsbot.delivery.segments import measure
from smsbot.dependencies import Runtime
from tests.factories import file, send_sms
from tests.staff_factories import StaffClient, handed_off, staff_client

XSS = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">', "javascript:alert(3)"]


@pytest.fixture
def alice(app: Flask, rt: Runtime) -> StaffClient:
    return staff_client(app, rt, "alice")


def fragment(member: StaffClient, query: str = "") -> dict:
    return member.get(f"/staff/queue{query}", headers={"Accept": "application/json"}).get_json()  # type: ignore[no-any-return]


def test_the_queue_lists_handed_off_conversations_oldest_first(client: FlaskClient, alice: StaffClient) -> None:
    first = handed_off(client)
    second = handed_off(client, "hmm", "what")
    file(client)  # still with the bot: not in the queue
    page = alice.get("/staff/").get_data(as_text=True)
    assert page.index(f'data-id="{first["id"]}"') < page.index(f'data-id="{second["id"]}"')
    masked = first["applicant"]["phone"][3:6] + "****" + first["applicant"]["phone"][-4:]
    assert masked in page and first["applicant"]["phone"] not in page
    assert "human requested" in page and "ambiguous" in page
    assert "what" in page  # the last message
    assert fragment(alice)["ids"] == [first["id"], second["id"]]


def test_queue_filters_and_counts_follow_reason_and_assignment(client: FlaskClient, alice: StaffClient) -> None:
    asked = handed_off(client)
    unclear = handed_off(client, "hmm", "what")
    alice.act(asked["id"], "claim")
    assert fragment(alice, "?assigned=mine")["ids"] == [asked["id"]]
    assert fragment(alice, "?assigned=unassigned")["ids"] == [unclear["id"]]
    assert fragment(alice, "?reason=ambiguous")["ids"] == [unclear["id"]]
    counts = fragment(alice)["counts"]
    assert (counts["all"], counts["mine"], counts["unassigned"]) == (2, 1, 1)
    assert (counts["reason:ambiguous"], counts["reason:human_requested"], counts["reason:"]) == (1, 1, 2)
    assert fragment(alice, "?assigned=bogus&reason=bogus")["ids"] == [asked["id"], unclear["id"]]


def test_the_queue_fragment_carries_rendered_rows_for_the_poller(client: FlaskClient, alice: StaffClient) -> None:
    assert "Nothing waiting" in fragment(alice)["rows"]
    case = handed_off(client)
    assert f'data-id="{case["id"]}"' in fragment(alice)["rows"]


def test_the_conversation_page_shows_details_versions_and_the_whole_timeline(
    client: FlaskClient, alice: StaffClient
) -> None:
    case = handed_off(client, "2", "2", "60000")
    alice.act(case["id"], "apply_correction", field="amount", value="60000")
    page = alice.page(case["id"])
    assert "张三" in page and case["applicant"]["phone"] in page  # staff see full details
    assert "50,000.00 CNY" in page and "60,000.00 CNY" in page  # both notice versions
    for kind in ("message", "transition", "correction", "version", "audit"):
        assert f'data-kind="{kind}"' in page
    assert 'data-status="queued"' in page
    assert "record_correction" in page and "staff_apply_correction" in page
    assert "cause: staff alice" in page


def test_an_applicants_markup_is_shown_as_text_and_never_as_html(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client, *XSS[:2], "转人工 " + XSS[2])
    live = alice.get(f"/staff/c/{case['id']}/timeline", headers={"Accept": "application/json"}).get_json()["timeline"]
    for page in (alice.page(case["id"]), alice.get("/staff/").get_data(as_text=True), fragment(alice)["rows"], live):
        assert "<script>alert" not in page and "<img src=x" not in page
    page = alice.page(case["id"])
    for payload in XSS:
        assert str(escape(payload)) in page
    assert 'href="javascript:' not in page


def test_every_response_carries_a_csp_that_forbids_inline_script(client: FlaskClient, alice: StaffClient) -> None:
    for response in (alice.get("/staff/"), client.get("/staff/login"), client.get("/healthz")):
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    page = alice.get("/staff/").get_data(as_text=True)
    assert "<script>" not in page and "onclick" not in page  # every script is a file


def test_pages_follow_the_browser_language_and_the_switch_is_remembered(
    client: FlaskClient, alice: StaffClient
) -> None:
    assert "客服工作台" in client.get("/staff/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(
        as_text=True
    )
    assert "Staff inbox" in client.get("/staff/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    switched = alice.get("/staff/?lang=zh")
    assert "待处理" in switched.get_data(as_text=True)
    assert "lang=zh" in switched.headers["Set-Cookie"]
    assert "未分配" in alice.get("/staff/").get_data(as_text=True)
    assert "Unassigned" in alice.get("/staff/?lang=en").get_data(as_text=True)
    filtered = alice.get("/staff/?assigned=mine&reason=ambiguous").get_data(as_text=True)
    assert 'href="/staff/?assigned=mine&amp;reason=ambiguous&amp;lang=zh"' in filtered  # the switch keeps filters


def test_refusals_are_worded_in_the_staff_members_language(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client)
    send_sms(client, case["applicant"]["phone"], "STOP")
    alice.get("/staff/?lang=zh")
    response = alice.act(case["id"], "reply", body="您好")
    assert response.status_code == 409 and "该号码已退订" in response.get_data(as_text=True)


def test_the_reply_box_offers_canned_replies_in_both_languages_and_a_counter(
    client: FlaskClient, alice: StaffClient
) -> None:
    case = handed_off(client)
    page = alice.page(case["id"])
    assert 'data-lang="zh"' in page and 'data-lang="en"' in page
    assert "申请信息无误请回1" in page and "Reply 1 if the details are correct" in page
    prefix = measure("【示例农商银行】")
    assert f"{prefix.characters} characters · UCS-2 · 1 segment(s)" in page
    assert "data-gsm=" in page and "segments.js" in page


def test_an_unknown_conversation_is_a_404(alice: StaffClient) -> None:
    assert alice.get("/staff/c/999999").status_code == 404
    assert alice.act(999999, "claim").status_code == 404
    assert alice.act(999999, "reply", body="x").status_code == 404


def test_opt_out_and_opt_in_stand_out_on_the_timeline(client: FlaskClient, alice: StaffClient) -> None:
    case = handed_off(client, "STOP", "START")
    page = alice.page(case["id"])
    assert 'class="entry transition do_opt_out"' in page and 'class="entry transition do_opt_in"' in page
