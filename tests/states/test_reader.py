"""The reader's tables: precedence between intents, and how the conversation state changes a meaning."""

from __future__ import annotations

import time

import pytest

from states.intents import Field, Intent
from states.reader import read_reply
from states.reply import redact_id_numbers

CONFIRMING = "awaiting_confirmation"
MENU = "awaiting_correction_field"
VALUE = "awaiting_correction_value"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("1 退订", Intent.OPT_OUT),  # opt-out beats a confirmation
        ("确认 TD", Intent.OPT_OUT),
        ("骗子，别再发了", Intent.OPT_OUT),  # opt-out beats abuse
        ("是骗子吗 不是我申请的", Intent.ABUSE_OR_FRAUD_REPORT),  # abuse beats wrong person
        ("不是我申请的，转人工", Intent.WRONG_PERSON),  # wrong person beats human
        ("金额不对，转人工", Intent.HUMAN),  # human beats correct
        ("1 但是金额好像不对", Intent.CORRECT),  # correct beats confirm
        ("确认，什么时候放款", Intent.CONFIRM),  # confirm beats help
        ("START 1", Intent.CONFIRM),
    ],
)
def test_precedence_follows_the_policy(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent", "field"),
    [
        ("1", Intent.CONFIRM, None),
        ("2", Intent.CORRECT, None),
        ("3", Intent.AMBIGUOUS, None),
        ("12", Intent.AMBIGUOUS, None),
        ("1 2", Intent.AMBIGUOUS, None),
        ("11", Intent.AMBIGUOUS, None),
        ("1?", Intent.AMBIGUOUS, None),
        ("1吗", Intent.AMBIGUOUS, None),
        ("1吧", Intent.AMBIGUOUS, None),
        ("金额不对", Intent.CORRECT, Field.AMOUNT),
        ("名字写错了", Intent.CORRECT, Field.NAME),
        ("期限有误", Intent.CORRECT, Field.TERM),
        ("用途不对", Intent.CORRECT, Field.PURPOSE),
        ("金额和期限都不对", Intent.HUMAN, None),
        ("金额没问题", Intent.CONFIRM, None),
        ("名字没错，金额不对", Intent.CORRECT, Field.AMOUNT),
    ],
)
def test_digits_and_fields_while_awaiting_confirmation(text: str, intent: Intent, field: Field | None) -> None:
    reading = read_reply(text, CONFIRMING)
    assert (reading.intent, reading.field) == (intent, field)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("金额应该是5万", Field.AMOUNT, 50000),
        ("金额改成50000", Field.AMOUNT, 50000),
        ("5万", Field.AMOUNT, 50000),
        ("12期", Field.TERM, 12),
        ("期限应该是一年半", Field.TERM, 18),
        ("名字应该是张三", Field.NAME, "张三"),
        ("用途是买化肥", Field.PURPOSE, "买化肥"),
    ],
)
def test_a_correction_with_a_value_carries_the_parsed_value(text: str, field: Field, value: object) -> None:
    reading = read_reply(text, CONFIRMING)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, field, value)


@pytest.mark.parametrize(
    ("text", "field"),
    [("1", Field.NAME), ("2", Field.AMOUNT), ("3", Field.TERM), ("4", Field.PURPOSE), ("5", Field.OTHER),
     ("③", Field.TERM), ("金额", Field.AMOUNT), ("期限", Field.TERM), ("Name", Field.NAME),
     ("2 金额", Field.AMOUNT)],
)  # fmt: skip
def test_at_the_field_menu_a_digit_or_a_name_picks_the_field(text: str, field: Field) -> None:
    reading = read_reply(text, MENU)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, field, None)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("6", Intent.AMBIGUOUS),
        ("12", Intent.AMBIGUOUS),
        ("金额和期限", Intent.HUMAN),
        ("身份证号", Intent.HUMAN),
    ],
)
def test_at_the_field_menu_other_digits_are_ambiguous_and_several_fields_go_to_staff(text: str, intent: Intent) -> None:
    assert read_reply(text, MENU).intent is intent


def test_at_the_field_menu_a_field_with_its_value_gives_both() -> None:
    reading = read_reply("2，改成3万", MENU)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, Field.AMOUNT, 30000)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [("5万", Field.AMOUNT, 50000), ("伍万元整", Field.AMOUNT, 50000), ("12", Field.TERM, 12),
     ("一年半", Field.TERM, 18), ("Zhang San", Field.NAME, "ZhangSan"), ("买化肥", Field.PURPOSE, "买化肥")],
)  # fmt: skip
def test_at_the_value_prompt_the_reply_is_the_asked_fields_value(text: str, field: Field, value: object) -> None:
    reading = read_reply(text, VALUE, field)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, field, value)


@pytest.mark.parametrize("text", ["5万左右", "5到6万", "5", "$5000", "好的"])
def test_at_the_value_prompt_an_unusable_value_is_ambiguous(text: str) -> None:
    assert read_reply(text, VALUE, Field.AMOUNT).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize("state", [CONFIRMING, MENU, VALUE, "handed_off", "opted_out", "confirmed", "closed"])
def test_opt_out_wins_in_every_state(state: str) -> None:
    assert read_reply("退订", state, Field.AMOUNT).intent is Intent.OPT_OUT


def test_yes_confirms_while_awaiting_confirmation_but_resubscribes_once_opted_out() -> None:
    assert read_reply("YES", CONFIRMING).intent is Intent.CONFIRM
    assert read_reply("YES", "opted_out").intent is Intent.OPT_IN


@pytest.mark.parametrize(
    "text", ["tomorrow", "correct", "Trust me", "the end of the month?", "取消", "cancel my application"]
)
def test_words_that_merely_contain_an_opt_out_word_are_not_opt_outs(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is not Intent.OPT_OUT


@pytest.mark.parametrize(
    ("text", "with_help", "intent"),
    [("确认，什么时候放款？", True, Intent.CONFIRM), ("1", False, Intent.CONFIRM),
     ("确认，要交手续费吗", False, Intent.HUMAN), ("1 但是我有点担心", False, Intent.HUMAN)],
)  # fmt: skip
def test_confirm_with_a_procedural_question_asks_for_the_help_text(text: str, with_help: bool, intent: Intent) -> None:
    reading = read_reply(text, CONFIRMING)
    assert (reading.intent, reading.with_help) == (intent, with_help)


def test_an_id_number_is_masked_and_never_read_as_an_amount() -> None:
    reading = read_reply("金额不对 110101199001011234", CONFIRMING)
    assert reading.intent is Intent.HUMAN
    assert reading.value is None
    assert reading.redacted_text == "金额不对 110*************34"


@pytest.mark.parametrize(
    ("text", "redacted"),
    [("11010119900101123X", "110*************3X"), ("110101900101123", "110**********23"),
     ("１１０１０１１９９００１０１１２３４", "１１０*************３４"),
     ("no id here 12345", "no id here 12345")],
)  # fmt: skip
def test_redaction_keeps_three_leading_and_two_trailing_characters(text: str, redacted: str) -> None:
    assert redact_id_numbers(text) == redacted


def test_redacted_text_is_always_set_to_the_reply() -> None:
    assert read_reply("好的", CONFIRMING).redacted_text == "好的"


@pytest.mark.parametrize("text", ["ok", "week", "stone", "often"])
def test_letters_alone_are_never_an_amount(text: str) -> None:
    assert read_reply(text, VALUE, Field.AMOUNT).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize("state", [MENU, VALUE])
def test_a_bare_yes_answers_nothing_at_the_menu_or_a_value_prompt(state: str) -> None:
    assert read_reply("yes", state, Field.NAME).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize(
    ("text", "intent"),
    [("係", Intent.CONFIRM), ("冇問題", Intent.CONFIRM), ("唔啱", Intent.CORRECT),
     ("唔係我", Intent.WRONG_PERSON),
     ("唔好再發", Intent.OPT_OUT), ("呃人", Intent.ABUSE_OR_FRAUD_REPORT), ("queren", Intent.CONFIRM),
     ("确任", Intent.CONFIRM), ("却人", Intent.AMBIGUOUS)],
)  # fmt: skip
def test_cantonese_pinyin_and_one_typo_forms_are_read(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    "text",
    [
        "不确认",
        "先别确认",
        "确认一下",
        "如何确认",
        "没错吧",
        "correct?",
        "如果没问题就1",
        "确认收到",
        "我要确认",
    ],
)
def test_a_confirm_word_that_is_negated_questioned_or_deferred_does_not_confirm(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is not Intent.CONFIRM


def test_doubt_naming_a_field_is_a_correction_and_doubt_alone_goes_to_staff() -> None:
    assert read_reply("我对金额有疑问", CONFIRMING).field is Field.AMOUNT
    assert read_reply("确认，但是我有点担心", CONFIRMING).intent is Intent.HUMAN


def test_an_id_number_in_groups_is_masked_too() -> None:
    assert read_reply("110101 19900101 123X", CONFIRMING).redacted_text == "110***************3X"


@pytest.mark.parametrize(
    ("text", "intent"), [("没措", Intent.CONFIRM), ("正却", Intent.CONFIRM), ("没文提", Intent.AMBIGUOUS)]
)
def test_one_homophone_typo_in_a_confirm_statement_still_confirms_but_two_do_not(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize("text", ["1" * 1600, "一" * 1600, "a" * 1600, "金额" * 800, "5万" * 800])
def test_a_reply_of_the_longest_sms_length_is_read_well_within_the_webhook_budget(text: str) -> None:
    started = time.perf_counter()
    read_reply(text, CONFIRMING)
    read_reply(text, VALUE, Field.AMOUNT)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("text", "intent"),
    [("退丁", Intent.OPT_OUT), ("dun sms me", Intent.OPT_OUT), ("bu yao zai fa le", Intent.OPT_OUT),
     ("不需要再发短信", Intent.OPT_OUT), ("拒绝接收", Intent.OPT_OUT),
     ("don't send money to anyone", Intent.AMBIGUOUS)],
)  # fmt: skip
def test_stop_demands_in_typos_shorthand_and_pinyin_are_opt_outs(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("1 but is my info safe", Intent.HUMAN), ("1 are there fees", Intent.HUMAN), ("1 if correct", Intent.HUMAN),
     ("should be correct", Intent.AMBIGUOUS), ("yes i applied", Intent.AMBIGUOUS), ("1 心里没底", Intent.HUMAN),
     ("my details are all correct", Intent.CONFIRM), ("school fees for my kids", Intent.CORRECT)],
)  # fmt: skip
def test_confirm_with_doubt_hedge_or_identity_does_not_confirm(text: str, intent: Intent) -> None:
    state, field = (VALUE, Field.PURPOSE) if text.startswith("school") else (CONFIRMING, None)
    assert read_reply(text, state, field).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("都对的没有问题确认一下", Intent.CONFIRM), ("我确认一下", Intent.AMBIGUOUS), ("确定", Intent.AMBIGUOUS),
     ("俺看了 对着呢", Intent.CONFIRM), ("mei wen ti", Intent.CONFIRM), ("我问问我老公", Intent.AMBIGUOUS),
     ("这是我老公申请的", Intent.HUMAN), ("2?", Intent.AMBIGUOUS)],
)  # fmt: skip
def test_deferrals_dialect_and_questioned_digits(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent", "field", "value"),
    [("2吧", Intent.AMBIGUOUS, None, None), ("1吗", Intent.AMBIGUOUS, None, None), ("全部", Intent.HUMAN, None, None),
     ("both", Intent.HUMAN, None, None), ("2. 3万", Intent.CORRECT, Field.AMOUNT, 30000),
     ("金額應該係3萬", Intent.CORRECT, Field.AMOUNT, 30000)],
)  # fmt: skip
def test_at_the_field_menu_hedged_questioned_and_all_fields(
    text: str, intent: Intent, field: Field | None, value: int | None
) -> None:
    reading = read_reply(text, MENU)
    assert (reading.intent, reading.field, reading.value) == (intent, field, value)


@pytest.mark.parametrize(
    ("text", "field", "intent", "value"),
    [("确认", Field.AMOUNT, Intent.AMBIGUOUS, None), ("对", Field.NAME, Intent.AMBIGUOUS, None),
     ("18 mths", Field.TERM, Intent.CORRECT, 18), ("一年半载", Field.TERM, Intent.AMBIGUOUS, None),
     ("1年6个月", Field.TERM, Intent.CORRECT, 18), ("一年零六个月", Field.TERM, Intent.CORRECT, 18),
     ("一年多", Field.TERM, Intent.AMBIGUOUS, None), ("3万零500", Field.AMOUNT, Intent.CORRECT, 30500)],
)  # fmt: skip
def test_at_the_value_prompt_confirm_words_and_idioms_are_no_value(
    text: str, field: Field, intent: Intent, value: int | None
) -> None:
    reading = read_reply(text, VALUE, field)
    assert (reading.intent, reading.value) == (intent, value)


def test_a_hedge_on_the_complaint_leaves_the_value_usable() -> None:
    reading = read_reply("那个金额好像不太对我申请的是三万", CONFIRMING)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, Field.AMOUNT, 30000)
    assert read_reply("金额好像错了 大概3万", CONFIRMING).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize(
    ("text", "intent"),
    [("不是很对", Intent.CORRECT), ("对不上", Intent.CORRECT), ("我想确认一下金额是不是5万", Intent.AMBIGUOUS),
     ("刚才有客服打电话要验证码", Intent.ABUSE_OR_FRAUD_REPORT), ("申请撤了吧", Intent.HUMAN),
     ("需要担保人吗", Intent.HUMAN), ("你们电话打不通", Intent.HUMAN), ("我的信息你们会保密吗", Intent.HUMAN),
     ("1和2有什么区别", Intent.HELP), ("我不姓张", Intent.WRONG_PERSON)],
)  # fmt: skip
def test_questions_about_a_value_loan_conditions_and_complaints(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("yes, wait", Intent.AMBIGUOUS), ("1 nvm", Intent.AMBIGUOUS), ("1 idk", Intent.AMBIGUOUS),
     ("pls confirm", Intent.AMBIGUOUS), ("i want to confirm", Intent.AMBIGUOUS), ("1🤔", Intent.AMBIGUOUS),
     ("I'd like to confirm that all details are correct", Intent.CONFIRM),
     ("1 👎", Intent.AMBIGUOUS), ("🤔", Intent.AMBIGUOUS), ("everything correct except the term", Intent.CORRECT),
     ("let me ask my wife first", Intent.AMBIGUOUS), ("not interested", Intent.HUMAN), ("how to confirm", Intent.HELP)],
)  # fmt: skip
def test_english_deferrals_requests_and_doubting_emoji_do_not_confirm(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "field", "intent", "value"),
    [("不是王晓明，是王小明", Field.NAME, Intent.CORRECT, "王小明"), ("随便", Field.PURPOSE, Intent.AMBIGUOUS, None),
     ("还没想好", Field.PURPOSE, Intent.AMBIGUOUS, None), ("金额3万 期限24个月", Field.AMOUNT, Intent.CORRECT, 30000),
     ("3万 但是我担心", Field.AMOUNT, Intent.HUMAN, None)],
)  # fmt: skip
def test_at_the_value_prompt_old_values_non_answers_and_several_fields_where_the_asked_one_is_taken(
    text: str, field: Field, intent: Intent, value: str | None
) -> None:
    reading = read_reply(text, VALUE, field)
    assert (reading.intent, reading.value) == (intent, value)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("短信太多了", Intent.OPT_OUT), ("天天发烦不烦", Intent.OPT_OUT), ("不要再骚扰", Intent.OPT_OUT),
     ("不要通知我了", Intent.OPT_OUT), ("唔好再傳短訊", Intent.OPT_OUT), ("请勿再联系", Intent.OPT_OUT),
     ("对了", Intent.AMBIGUOUS), ("对了，审核要多久", Intent.HELP)],
)  # fmt: skip
def test_complaints_about_texts_are_opt_outs_and_by_the_way_is_no_confirmation(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent
