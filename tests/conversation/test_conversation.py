"""Walking the conversation through the real webhooks of each provider (Twilio's signed form posts, the mainland
gateway's JSON pushes): the state table of PRODUCT.md holds on both."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import OnChannel
from tests.delivery.helpers import drain
from tests.factories import application, file


def walk(on: OnChannel, *replies: str) -> dict:
    app = file(on.client)
    on.reply(app["applicant"]["phone"], *replies)
    return application(on.client, app["id"])


def outbound_kinds(app: dict) -> list[str]:
    return [m["kind"] for m in app["messages"] if m["direction"] == "out"]


@pytest.mark.parametrize(
    ("replies", "state", "reason", "last_kind"),
    [
        (["1"], "confirmed", None, "confirmation_received"),
        (["2"], "awaiting_correction_field", None, "field_menu"),
        (["2", "2"], "awaiting_correction_value", None, "value_prompt_amount"),
        (["2", "2", "60000"], "handed_off", "correction", "correction_received"),
        (["2", "1"], "awaiting_correction_value", None, "value_prompt_name"),
        (["2", "3", "24"], "handed_off", "correction", "correction_received"),
        (["hmm"], "awaiting_confirmation", None, "reprompt_confirmation"),
        (["hmm", "what"], "handed_off", "ambiguous", "handoff"),
        (["hmm", "1"], "confirmed", None, "confirmation_received"),
        (["2", "9"], "awaiting_correction_field", None, "field_menu"),
        (["2", "9", "9"], "handed_off", "ambiguous", "handoff"),
        (["转人工"], "handed_off", "human_requested", "handoff"),
        (["STOP"], "opted_out", None, "opt_out_confirmation"),
        (["2", "2", "退订"], "opted_out", None, "opt_out_confirmation"),
        (["1", "TD"], "opted_out", None, "opt_out_confirmation"),
        (["转人工", "STOP"], "opted_out", None, "opt_out_confirmation"),
        (["STOP", "START"], "handed_off", "opted_in", "opted_in"),
    ],
)
def test_conversation_walks_the_state_table(
    on: OnChannel, replies: list[str], state: str, reason: str | None, last_kind: str
) -> None:
    app = walk(on, *replies)
    assert (app["state"], app["handoff_reason"]) == (state, reason)
    assert outbound_kinds(app)[-1] == last_kind
    drain(on.rt)  # the worker's send path, through the provider's stand-in over HTTP
    sent = application(on.client, app["id"])["messages"]
    assert {m["status"] for m in sent if m["direction"] == "out"} <= {"accepted", "sent", "cancelled", "suppressed"}
    assert any(m["status"] in ("accepted", "sent") for m in sent)


def test_a_parsed_correction_is_recorded_for_staff(on: OnChannel) -> None:
    app = walk(on, "2", "2", "60000")
    [correction] = app["corrections"]
    assert (correction["field"], correction["value"], correction["status"]) == ("amount", "60000", "pending")
    last_inbound = [m for m in app["messages"] if m["direction"] == "in"][-1]
    assert correction["message_id"] == last_inbound["id"]
    echo = app["messages"][-1]["body"]
    assert "60000元" in echo


def test_every_transition_names_the_message_that_caused_it(on: OnChannel) -> None:
    app = walk(on, "2", "2")
    inbound_ids = [m["id"] for m in app["messages"] if m["direction"] == "in"]
    moves = app["transitions"][1:]
    assert [t["cause"] for t in moves] == [{"type": "message", "id": i} for i in inbound_ids]
    assert [t["to_state"] for t in moves] == ["awaiting_correction_field", "awaiting_correction_value"]


def test_handed_off_conversations_are_silent_except_for_opt_out(on: OnChannel) -> None:
    app = walk(on, "转人工", "1", "hello")
    assert app["state"] == "handed_off"
    assert outbound_kinds(app) == ["notice", "handoff"]


def test_opt_out_cancels_everything_still_queued_and_confirms_once(on: OnChannel) -> None:
    app = walk(on, "STOP", "STOP", "1")
    statuses = {m["kind"]: m["status"] for m in app["messages"] if m["direction"] == "out"}
    assert statuses == {"notice": "cancelled", "opt_out_confirmation": "queued"}


def test_filing_for_an_opted_out_phone_sends_nothing(on: OnChannel) -> None:
    first = walk(on, "STOP")
    second = file(on.client, applicant={"phone": first["applicant"]["phone"]})
    assert second["state"] == "opted_out"
    assert [m["status"] for m in second["messages"]] == ["suppressed"]


def test_ambiguous_replies_are_reprompted_only_as_configured(on: OnChannel) -> None:
    on.rt.settings.max_reprompts = 0
    assert walk(on, "hmm")["handoff_reason"] == "ambiguous"


def test_an_english_applicant_is_answered_in_english(on: OnChannel) -> None:
    app = file(on.client, applicant={"locale": "en", "name": "Zhang San"})
    on.reply(app["applicant"]["phone"], "1")
    messages = application(on.client, app["id"])["messages"]
    assert messages[0]["body"].startswith("ExampleBank: Zhang*,")
    assert "confirmed" in messages[-1]["body"]
