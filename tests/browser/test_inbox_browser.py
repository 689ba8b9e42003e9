"""The staff inbox in a real browser: login, the live queue, a two-person claim race, XSS as plain text,
replying with the segment counter, and a correction that sends a new notice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from smsbot.delivery.segments import measure
from smsbot.dependencies import Runtime
from smsbot.worker import drain_once
from tests.factories import application, file, send_sms
from tests.staff_factories import PASSWORD, make_staff

WAIT_MS = 10_000


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    """The lender's and Twilio's side (signed for the configured public URL), on the same database."""
    return app.test_client()


@pytest.fixture
def contexts(browser: Any) -> Iterator[list[Any]]:
    """Fresh browser contexts (separate cookie jars), closed after the test."""
    opened: list[Any] = []

    def factory() -> Any:
        context = browser.new_context(locale="en-US")
        context.set_default_timeout(WAIT_MS)
        opened.append(context)
        return context

    yield [factory]
    for context in opened:
        context.close()


def staff_page(contexts: list[Any], base_url: str, username: str) -> Any:
    """A logged-in staff member's tab on the queue. Dialogs and page errors are recorded, never answered."""
    page = contexts[0]().new_page()
    page.dialogs, page.errors = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{base_url}/staff/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")
    return page


def escalate(api: FlaskClient, *replies: str, **overrides: Any) -> dict[str, Any]:
    filed = file(api, **overrides)
    for reply in replies or ("转人工",):
        assert send_sms(api, filed["applicant"]["phone"], reply).status_code == 200
    return application(api, filed["id"])


def test_a_new_escalation_appears_in_the_queue_without_reloading(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.wait_for_selector("text=Nothing waiting")
    page.evaluate("window.notReloaded = true")
    case = escalate(api)
    page.wait_for_selector(f'#queue-rows tr[data-id="{case["id"]}"]')
    assert page.evaluate("window.notReloaded") is True
    assert page.locator('[data-count="unassigned"]').inner_text() == "1"
    assert page.errors == []


def test_two_staff_claim_the_same_conversation_at_once_and_one_wins(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    make_staff(rt, "alice")
    make_staff(rt, "bob")
    case = escalate(api)
    pages = [staff_page(contexts, base_url, name) for name in ("alice", "bob")]
    buttons = [page.locator(f'button[data-action="claim"][data-id="{case["id"]}"]') for page in pages]
    for button in buttons:
        button.wait_for()
    for button in buttons:  # both requests leave before either answer arrives
        button.click(no_wait_after=True)
    for page in pages:
        page.wait_for_url(re.compile(rf"/staff/c/{case['id']}$"))
    flashes = [page.locator(".flash").first.inner_text() for page in pages]
    won = [text for text in flashes if text == "You hold this conversation now."]
    lost = [text for text in flashes if text.startswith("Already claimed by ")]
    assert len(won) == 1 and len(lost) == 1
    winner = "alice" if flashes[0] == won[0] else "bob"
    assert lost[0] == f"Already claimed by {winner}."


def test_an_xss_payload_is_read_as_plain_text_and_runs_nothing(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    payloads = [
        "<script>window.pwned=1;alert('script')</script>",
        "<img src=x onerror=\"window.pwned=2;alert('img')\">",
        "转人工 javascript:alert('link')",
    ]
    case = escalate(api, *payloads)
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.goto(f"{base_url}/staff/c/{case['id']}")
    timeline = page.locator("#timeline")
    for payload in payloads:
        assert timeline.get_by_text(payload, exact=True).count() == 1
    page.wait_for_timeout(1500)  # one poll of the live timeline has replaced the list
    assert page.dialogs == []
    assert page.evaluate("window.pwned") is None
    assert timeline.locator("script, img, a").count() == 0


def test_a_reply_shows_its_segments_as_you_type_and_goes_through_the_outbox(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    case = escalate(api, "agent please", applicant={"locale": "en", "name": "Zhang San"})
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.goto(f"{base_url}/staff/c/{case['id']}")
    page.fill("#body", "We will call you today.")
    counter = page.locator("#counter")
    assert "GSM-7" in counter.inner_text() and "1 segment" in counter.inner_text()
    page.fill("#body", "We will call you today. 谢谢")
    assert "UCS-2" in counter.inner_text()
    page.fill("#body", "x" * 200)
    assert "GSM-7" in counter.inner_text() and "2 segment" in counter.inner_text()
    page.fill("#body", "We will call you today.")
    page.click('button[data-action="reply"]')
    page.wait_for_selector("text=Done.")
    assert page.locator("#timeline").get_by_text("ExampleBank: We will call you today.").count() == 1
    assert [m["kind"] for m in application(api, case["id"])["messages"]][-1] == "staff_reply"


def test_applying_a_correction_sends_the_new_notice(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    case = escalate(api, "2", "2", "60000")
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.goto(f"{base_url}/staff/c/{case['id']}")
    assert page.locator("#field").input_value() == "amount"
    assert page.locator("#value").input_value() == "60000"
    page.click('button[data-action="apply_correction"]')
    page.wait_for_selector("text=Done.")
    assert page.locator(".state").inner_text() == "awaiting confirmation"
    assert page.locator("#versions tbody tr").count() == 2
    new_notice = page.locator("#timeline li.message.out").filter(has_text="6万元")
    assert new_notice.locator("[data-status]").inner_text() == "queued"
    drain_once(rt.sessions, rt.provider, settings=rt.settings)  # the worker sends it
    page.locator("#timeline li.message.out").filter(has_text="6万元").locator('[data-status="delivered"]').wait_for()


def test_the_counter_in_the_browser_measures_exactly_as_the_server_does(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    case = escalate(api)
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.goto(f"{base_url}/staff/c/{case['id']}")
    samples = ["", "hello", "a" * 160, "a" * 161, "{}[]~^|€\\", "€" * 80, "你好" * 35, "你好" * 36, "😀 ok", "é\nß"]
    measured = page.evaluate(
        """samples => {
            const gsm = JSON.parse(document.getElementById("body").dataset.gsm);
            return samples.map(s => window.smsSegments.measure(s, gsm.basic, gsm.extended));
        }""",
        samples,
    )
    expected = [measure(sample) for sample in samples]
    assert [(m["encoding"], m["characters"], m["segments"]) for m in measured] == [
        (e.encoding, e.characters, e.segments) for e in expected
    ]


def test_changing_the_phone_sends_the_notice_to_the_new_number(
    contexts: list[Any], base_url: str, api: FlaskClient, rt: Runtime
) -> None:
    case = escalate(api)
    make_staff(rt, "alice")
    page = staff_page(contexts, base_url, "alice")
    page.goto(f"{base_url}/staff/c/{case['id']}")
    page.fill("#new-phone", "139 0000 5678")
    page.fill("#verified-how", "called the applicant on the new number")
    page.click('button[data-action="change_phone"]')
    page.wait_for_selector("text=Number changed; the notice goes to the new number as a new version.")
    assert page.locator(".state").inner_text() == "awaiting confirmation"
    assert page.locator("#versions tbody tr").count() == 2
    assert "+8613900005678" in page.locator("[data-phone-change]").inner_text()
    drain_once(rt.sessions, rt.provider, settings=rt.settings)
    found = application(api, case["id"])
    assert found["applicant"]["phone"] == "+8613900005678"
    assert [m["status"] for m in found["messages"] if m["kind"] == "notice"][-1] in ("accepted", "sent", "delivered")
    assert page.errors == []
