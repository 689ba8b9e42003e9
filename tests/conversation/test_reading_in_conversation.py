"""The reader wired into the conversation: real replies, the moves they cause, what is stored and echoed."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.factories import application, file, send_sms


def converse(client: FlaskClient, *replies: str, **filing: object) -> dict:
    app = file(client, **filing)
    for reply in replies:
        assert send_sms(client, app["applicant"]["phone"], reply).status_code == 200
    return application(client, app["id"])


def sent(app: dict) -> list[str]:
    return [m["kind"] for m in app["messages"] if m["direction"] == "out"]


@pytest.mark.parametrize(
    ("reply", "state", "last"),
    [
        ("１", "confirmed", "confirmation_received"),
        ("确认无误", "confirmed", "confirmation_received"),
        ("好的", "awaiting_confirmation", "reprompt_confirmation"),
        ("是我本人", "awaiting_confirmation", "reprompt_confirmation"),
        ("1 但是金额好像不对", "awaiting_correction_value", "value_prompt_amount"),
        ("1 STOP", "opted_out", "opt_out_confirmation"),
        ("不是我申请的", "handed_off", "wrong_person"),
        ("这是诈骗吧", "handed_off", "handoff"),
    ],
)
def test_real_replies_move_the_conversation_by_the_policy(
    client: FlaskClient, reply: str, state: str, last: str
) -> None:
    app = converse(client, reply)
    assert app["state"] == state
    assert sent(app)[-1] == last


def test_confirm_with_a_procedural_question_confirms_and_answers_with_help(client: FlaskClient) -> None:
    app = converse(client, "1，多久有结果？")
    assert app["state"] == "confirmed"
    assert sent(app)[-2:] == ["confirmation_received", "help"]


def test_a_correction_in_words_is_parsed_echoed_and_recorded_for_staff(client: FlaskClient) -> None:
    app = converse(client, "金额应该是五万五")
    assert (app["state"], app["handoff_reason"]) == ("handed_off", "correction")
    [correction] = app["corrections"]
    assert (correction["field"], correction["value"]) == ("amount", "55000")
    assert "55000元" in app["messages"][-1]["body"]


def test_the_field_menu_then_a_financial_numeral_value(client: FlaskClient) -> None:
    app = converse(client, "2", "2", "伍万元整")
    assert app["corrections"][0]["value"] == "50000"


def test_an_unusable_value_is_reprompted_not_accepted(client: FlaskClient) -> None:
    app = converse(client, "2", "2", "5万左右")
    assert app["state"] == "awaiting_correction_value"
    assert app["corrections"] == []


def test_a_full_id_number_is_masked_before_it_is_stored(client: FlaskClient) -> None:
    app = converse(client, "我的身份证号是110101199003071234")
    inbound = [m["body"] for m in app["messages"] if m["direction"] == "in"]
    assert "110101199003071234" not in inbound[0]
    assert "110" in inbound[0] and "*" in inbound[0]
    assert app["state"] == "handed_off"


def test_an_english_applicant_corrects_the_term(client: FlaskClient) -> None:
    app = converse(client, "2", "3", "18 months", applicant={"locale": "en", "name": "Lee Mei"})
    assert app["corrections"][0]["value"] == "18"
    assert "18 months" in app["messages"][-1]["body"]
