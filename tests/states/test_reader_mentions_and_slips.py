"""Readings the README's points 12 to 16 fix: casual yes words, deadlines, digit slips, the wrongly written value,
a name set against a near miss, and a digit named in a question rather than sent."""

from __future__ import annotations

import pytest

from states.intents import Field, Intent
from states.reader import read_reply

AT_NOTICE = "awaiting_confirmation"


@pytest.mark.parametrize("text", ["yeah", "yep", "yup", "Yeah!"])
def test_a_casual_yes_alone_is_re_prompted(text: str) -> None:
    assert read_reply(text, AT_NOTICE).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize("text", ["yeah correct", "yep, looks good", "yes", "1"])
def test_a_casual_yes_beside_a_confirmation_adds_nothing(text: str) -> None:
    assert read_reply(text, AT_NOTICE).intent is Intent.CONFIRM


@pytest.mark.parametrize(
    "text",
    ["yes but can i get the money by friday", "1 before next monday please", "确认，周五前能到账吗", "1 月底之前要用钱",
     "没问题，15号以前能放款吗", "correct, need it by tomorrow"],
)  # fmt: skip
def test_a_deadline_beside_a_confirmation_is_for_staff(text: str) -> None:
    assert read_reply(text, AT_NOTICE).intent is Intent.HUMAN


@pytest.mark.parametrize("text", ["1 什么时候到账", "1 要不要去网点办手续", "确认，需要去营业厅签字吗"])
def test_a_procedural_question_beside_a_confirmation_confirms_with_help(text: str) -> None:
    reading = read_reply(text, AT_NOTICE)
    assert (reading.intent, reading.with_help) == (Intent.CONFIRM, True)


@pytest.mark.parametrize("text", ["金额多了个0", "多打了一个零", "金额少写了个0"])
def test_a_digit_slip_corrects_the_amount_without_a_value(text: str) -> None:
    reading = read_reply(text, AT_NOTICE)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, Field.AMOUNT, None)


@pytest.mark.parametrize(
    ("text", "value"),
    [("申请的是1.5万，你们写成5万了", 15000), ("你们写成5万了，应该是1.5万", 15000),
     ("金额应该写成5万，不是3万", 50000), ("3万变成5万", 50000)],
)  # fmt: skip
def test_the_wrongly_written_value_is_the_old_one(text: str, value: int) -> None:
    reading = read_reply(text, AT_NOTICE)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, Field.AMOUNT, value)


def test_a_name_set_against_a_near_miss_corrects_the_name() -> None:
    reading = read_reply("我叫李建华，不是李建国", AT_NOTICE)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, Field.NAME, "李建华")


def test_two_unrelated_names_are_not_read_as_a_misspelling() -> None:
    assert read_reply("我是张三，不是李四", AT_NOTICE).field is not Field.NAME


def test_my_name_is_spelt_wrong_disputes_the_name() -> None:
    assert read_reply("my name is spelt wrong", AT_NOTICE).field is Field.NAME


def test_a_value_after_a_strong_marker_is_the_value() -> None:
    reading = read_reply("名字少了个字，应该是张晓燕", "awaiting_correction_value", Field.NAME)
    assert (reading.intent, reading.value) == (Intent.CORRECT, "张晓燕")


def test_a_pinyin_name_with_its_lead_in_goes_to_staff() -> None:
    assert read_reply("拼音是 li mei", "awaiting_correction_value", Field.NAME).intent is Intent.HUMAN


@pytest.mark.parametrize(
    "text",
    ["what happens after I reply 1", "if i reply 1 what happens", "do i just reply 1", "what is 1 for", "whats 1",
     "send 1 to confirm?", "1 means yes?", "回1后多久有结果", "回2之后呢"],
)  # fmt: skip
def test_a_digit_named_in_a_question_is_not_sent(text: str) -> None:
    assert read_reply(text, AT_NOTICE).intent is Intent.HELP


@pytest.mark.parametrize("text", ["我回1了", "已回1"])
def test_saying_the_digit_is_sent_confirms(text: str) -> None:
    assert read_reply(text, AT_NOTICE).intent is Intent.CONFIRM


@pytest.mark.parametrize(
    ("text", "state", "field"),
    [
        ("5其他是指什么", "awaiting_correction_field", None),
        ("用途要写多详细", "awaiting_correction_value", Field.PURPOSE),
    ],
)
def test_a_question_about_the_prompt_is_help(text: str, state: str, field: Field | None) -> None:
    assert read_reply(text, state, field).intent is Intent.HELP


@pytest.mark.parametrize(
    ("text", "intent"),
    [("搞错了吧，我都没去过你们银行", Intent.WRONG_PERSON), ("我都不知道这是谁的贷款", Intent.WRONG_PERSON),
     ("张*是谁？我姓刘", Intent.WRONG_PERSON), ("你们怎么有我号码的", Intent.HUMAN),
     ("我不想让你们用我的资料做别的", Intent.HUMAN)],
)  # fmt: skip
def test_denials_and_data_questions(text: str, intent: Intent) -> None:
    assert read_reply(text, AT_NOTICE).intent is intent
