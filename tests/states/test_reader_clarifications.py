"""The policy's clarifications (DOMAIN.md, "How replies are read"), one table per rule the reader must hold."""

from __future__ import annotations

import pytest

from states.intents import Field, Intent
from states.reader import read_reply

CONFIRMING = "awaiting_confirmation"
MENU = "awaiting_correction_field"
VALUE = "awaiting_correction_value"


@pytest.mark.parametrize(
    ("text", "intent"),
    [("stpo", Intent.OPT_OUT), ("unsubscrbe", Intent.OPT_OUT), ("QIUT please", Intent.OPT_OUT),
     ("ｓｔｏｐ", Intent.OPT_OUT), ("opt otu", Intent.OPT_OUT), ("cancle", Intent.OPT_OUT), ("cancel", Intent.OPT_OUT),
     ("cancel my application", Intent.HUMAN), ("I am quite sure, 1", Intent.HUMAN),
     ("my shop is fine", Intent.AMBIGUOUS), ("we work non-stop, 1", Intent.HUMAN),
     ("不要再给我发短信了，烦死了，他妈的", Intent.OPT_OUT), ("别特么再发了", Intent.OPT_OUT),
     ("再发我就去12321投诉你们", Intent.OPT_OUT), ("stop texting me you idiots", Intent.OPT_OUT),
     ("please kindly stop sending these messages, thank you", Intent.OPT_OUT), ("滚", Intent.OPT_OUT),
     ("神经病", Intent.ABUSE_OR_FRAUD_REPORT)],
)  # fmt: skip
def test_opt_out_words_count_with_one_typo_and_stop_demands_in_any_company(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("T", Intent.OPT_OUT), ("回T", Intent.OPT_OUT), ("1 T", Intent.OPT_OUT), ("r", Intent.OPT_OUT),
     ("r u sure this is right?", Intent.AMBIGUOUS), ("I read the T&Cs, 1", Intent.HUMAN),
     ("我是卖T恤的，用途写错了", Intent.CORRECT)],
)  # fmt: skip
def test_single_letters_opt_out_only_where_they_stand_for_the_keyword(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("以前回过退订，现在想恢复接收", Intent.OPT_IN), ("I replied STOP last month, please start again", Intent.OPT_IN),
     ("恢复接收", Intent.OPT_IN), ("退订 恢复接收", Intent.HUMAN), ("stop. start again", Intent.HUMAN),
     ("别打电话给我，发短信就行", Intent.HUMAN), ("don't call me, texting is fine", Intent.HUMAN),
     ("别打电话，也别发短信", Intent.OPT_OUT)],
)  # fmt: skip
def test_resume_requests_and_channel_preferences_are_not_new_opt_outs(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


NOTICE = (
    "【示例农商银行】张*您好，您8月3日10:15提交的5万元贷款申请已受理，审核中。无误回1，需更正回2。客服95XXX，回T退订"
)


@pytest.mark.parametrize(
    ("text", "intent"),
    [(NOTICE, Intent.AMBIGUOUS), (NOTICE + " 1", Intent.CONFIRM), (NOTICE[9:] + "\n这是什么", Intent.HELP),
     (NOTICE.replace("，", " ") + " 退订", Intent.OPT_OUT)],
)  # fmt: skip
def test_a_quoted_copy_of_our_text_is_cut_out_before_reading(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING, sent_texts=(NOTICE,)).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("1 谢谢", Intent.CONFIRM), ("确认，什么时候放款", Intent.CONFIRM), ("正确，审核结果会短信通知吗", Intent.CONFIRM),
     ("1 麻烦快点批", Intent.HUMAN), ("确认 能不能明天就到账", Intent.HUMAN), ("yes, please hurry", Intent.HUMAN),
     ("yes if there are no fees", Intent.HUMAN), ("1 我是帮我妈回的", Intent.HUMAN), ("亲戚叫我回1", Intent.HUMAN),
     ("1 我在县城开了个小卖部，最近进货需要钱", Intent.HUMAN), ("没问题 就是不知道要多久", Intent.CONFIRM),
     ("莫得问题", Intent.CONFIRM), ("美问题", Intent.CONFIRM)],
)  # fmt: skip
def test_confirm_needs_the_rest_of_the_message_to_add_nothing(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


def test_the_applicants_own_name_beside_a_confirmation_adds_nothing() -> None:
    assert read_reply("李小红，确认", CONFIRMING, applicant_name="李小红").intent is Intent.CONFIRM
    assert read_reply("Li Xiaohong here, correct", CONFIRMING, applicant_name="Li Xiaohong").intent is Intent.HUMAN
    assert read_reply("Li Xiaohong, correct", CONFIRMING, applicant_name="Li Xiaohong").intent is Intent.CONFIRM


@pytest.mark.parametrize(
    ("text", "field", "intent", "value"),
    [("期限没问题", Field.TERM, Intent.AMBIGUOUS, None),
     ("the name was right after all", Field.NAME, Intent.AMBIGUOUS, None),
     ("1", Field.PURPOSE, Intent.AMBIGUOUS, None), ("两年吧", Field.TERM, Intent.CORRECT, 24),
     ("8万吧", Field.AMOUNT, Intent.CORRECT, 80000), ("5万左右", Field.AMOUNT, Intent.AMBIGUOUS, None),
     ("seventy thousand", Field.AMOUNT, Intent.CORRECT, 70000), ("45k", Field.AMOUNT, Intent.CORRECT, 45000),
     ("2.5 million", Field.AMOUNT, Intent.CORRECT, 2500000), ("eighteen months", Field.TERM, Intent.CORRECT, 18),
     ("40000 not 50000", Field.AMOUNT, Intent.CORRECT, 40000), ("一千万", Field.AMOUNT, Intent.CORRECT, 10000000),
     ("1千万", Field.AMOUNT, Intent.CORRECT, 10000000), ("95588", Field.AMOUNT, Intent.AMBIGUOUS, None),
     ("李小红，谢谢你们", Field.NAME, Intent.CORRECT, "李小红"), ("名字是Li Xiaohong", Field.NAME, Intent.HUMAN, None),
     ("3", Field.TERM, Intent.AMBIGUOUS, None), ("6万，期限也错了", Field.AMOUNT, Intent.CORRECT, 60000)],
)  # fmt: skip
def test_values_in_words_and_sentences_at_the_prompt_that_asked(
    text: str, field: Field, intent: Intent, value: int | str | None
) -> None:
    reading = read_reply(text, VALUE, field)
    assert (reading.intent, reading.value) == (intent, value)


@pytest.mark.parametrize(("text", "value"), [("2 sixty thousand", 60000), ("2，金额是一百万", 1000000)])
def test_a_menu_choice_with_a_value_in_words(text: str, value: int) -> None:
    reading = read_reply(text, MENU)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, Field.AMOUNT, value)


def test_a_long_letter_is_for_staff_unless_it_asks_to_stop() -> None:
    letter = "1 " + "我家里种地，今年收成一般，想贷款买化肥。" * 20
    assert read_reply(letter, CONFIRMING).intent is Intent.HUMAN
    assert read_reply(letter + "以后别再发短信了", CONFIRMING).intent is Intent.OPT_OUT


@pytest.mark.parametrize(
    ("text", "intent"),
    [("骗人的吧，滚", Intent.OPT_OUT), ("滚蛋！又是你们", Intent.OPT_OUT), ("stoppp", Intent.OPT_OUT),
     ("Endd", Intent.OPT_OUT), ("tdd", Intent.OPT_OUT), ("滚动播出的广告吗", Intent.HELP),
     ("the end of the month?", Intent.HELP), ("I'll add it later", Intent.AMBIGUOUS)],
)  # fmt: skip
def test_a_clause_that_is_an_opt_out_word_and_a_key_held_down_opt_out(text: str, intent: Intent) -> None:
    """A bare 滚 is a stop demand whatever insult stands beside it; "stoppp" is STOP with a key held down."""
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    "text", ["别打我电话", "电话就别打了，我在上班", "please don't call me", "不要再给我打电话了，有事短信"]
)
def test_refusing_calls_is_a_channel_preference_never_an_opt_out(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.HUMAN


@pytest.mark.parametrize(
    ("text", "intent"),
    [("上次手滑点错了退订，请恢复", Intent.OPT_IN), ("发TD是误操作，麻烦恢复一下", Intent.OPT_IN),
     ("I replied STOP by mistake, please start again", Intent.OPT_IN), ("退订，然后恢复接收", Intent.HUMAN)],
)  # fmt: skip
def test_a_resume_request_that_tells_of_the_earlier_opt_out_is_opt_in(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("回复T就是退订吗？", Intent.HELP), ("what does STOP mean here", Intent.HELP),
     ("T是什么意思？算了我要退订", Intent.OPT_OUT)],
)  # fmt: skip
def test_asking_what_a_keyword_means_does_not_send_it(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("短信里说无误回1，需更正回2，回T退订，我看不懂", Intent.HELP), ("你们说“无误回1”，好的 1", Intent.CONFIRM),
     ("回T退订", Intent.OPT_OUT)],
)  # fmt: skip
def test_our_instructions_copied_into_a_reply_are_not_the_applicants_words(text: str, intent: Intent) -> None:
    """Without knowing which text was sent: two of our instructions together, or one in quote marks, are a copy."""
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("是嘞", Intent.CONFIRM), ("对哒，没错", Intent.CONFIRM), ("Right", Intent.AMBIGUOUS),
     ("it is correct", Intent.CONFIRM), ("1，要是能批下来的话", Intent.HUMAN), ("没问题，能放款的话就要", Intent.HUMAN),
     ("确认，额度能不能提高到10万", Intent.HUMAN), ("1111", Intent.AMBIGUOUS)],
)  # fmt: skip
def test_confirm_forms_in_dialect_and_what_a_condition_or_a_request_makes_of_them(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize("text", ["都对，不用改了", "没问题", "actually everything is correct"])
def test_a_retraction_at_the_field_menu_reprompts_never_confirms(text: str) -> None:
    assert read_reply(text, MENU).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize(
    ("text", "state", "field"),
    [("期限，别的都没问题", MENU, Field.TERM), ("用途不对，其余都对", CONFIRMING, Field.PURPOSE),
     ("姓名啊，我不是说过了吗", MENU, Field.NAME)],
)  # fmt: skip
def test_the_rest_is_right_points_at_the_field_named(text: str, state: str, field: Field) -> None:
    reading = read_reply(text, state)
    assert (reading.intent, reading.field) == (Intent.CORRECT, field)


@pytest.mark.parametrize("text", ["I am not Li Wei", "I am not Wang", "我从来没在你们这里办过贷款"])
def test_denying_the_name_or_the_application_is_wrong_person(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.WRONG_PERSON


@pytest.mark.parametrize("text", ["no idea who this is", "never heard of this person", "No clue who that is"])
def test_not_knowing_the_applicant_is_wrong_person(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.WRONG_PERSON


@pytest.mark.parametrize(
    "text", ["滚动条在哪", "不用回短信吗", "你们的通知什么时候来", "不要通知我父母", "不要信息费吧"]
)
def test_words_that_only_look_like_a_stop_demand(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is not Intent.OPT_OUT


@pytest.mark.parametrize("text", ["其他都对", "the rest is fine", "其余的没问题"])
def test_the_rest_is_right_with_no_field_named_is_no_confirmation(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize(
    ("text", "intent"),
    [("what happens after I confirm?", Intent.HELP), ("都队", Intent.CONFIRM),
     ("yes all correct, thank you, have a nice day", Intent.CONFIRM), ("dun wan loan liao", Intent.HUMAN),
     ("我唔係陳生", Intent.WRONG_PERSON), ("1 但刚才有人让我转2000解冻", Intent.ABUSE_OR_FRAUD_REPORT),
     ("名字也对，就是期限写错了，是两年", Intent.CORRECT)],
)  # fmt: skip
def test_questions_about_confirming_typos_dialect_and_scam_words(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "field", "intent", "value"),
    [("正确姓名：赵钱", Field.NAME, Intent.CORRECT, "赵钱"), ("正确名字：Wang Fang", Field.NAME, Intent.HUMAN, None),
     ("名字是 Li Xiaoming 拼音", Field.NAME, Intent.HUMAN, None), ("多少都行", Field.AMOUNT, Intent.AMBIGUOUS, None),
     ("还是原来的", Field.PURPOSE, Intent.AMBIGUOUS, None), ("正确金额：6万", Field.AMOUNT, Intent.CORRECT, 60000)],
)  # fmt: skip
def test_a_value_label_indifference_and_taking_it_back_at_the_value_prompt(
    text: str, field: Field, intent: Intent, value: object
) -> None:
    reading = read_reply(text, VALUE, field)
    assert (reading.intent, reading.value) == (intent, value)


@pytest.mark.parametrize(
    ("text", "intent"),
    [("毋免閣傳矣", Intent.OPT_OUT), ("無錯", Intent.CONFIRM), ("correct already lor", Intent.CONFIRM),
     ("Ya betul, all correct", Intent.CONFIRM), ("correct po lahat, salamat po", Intent.CONFIRM),
     ("1\n\nSent from my Huawei", Intent.CONFIRM), ("Correct. Thanks for the quick service", Intent.CONFIRM),
     ("没问题，之后还要我做什么吗？", Intent.CONFIRM), ("名字金额都对，确认", Intent.CONFIRM),
     ("确认 金额", Intent.HUMAN), ("yes amount", Intent.HUMAN), ("都对，除了用途", Intent.CORRECT),
     ("阿婆唔識睇，我係佢孫，幫佢覆1", Intent.HUMAN), ("我唔識呢個人", Intent.WRONG_PERSON),
     ("my mother who is the applicant says it is correct", Intent.HUMAN), ("伊毋是我", Intent.WRONG_PERSON),
     ("我刚才手滑回了TD，还想继续收短信", Intent.OPT_IN), ("唔借喇", Intent.HUMAN),
     ("快点批啊，等着用钱", Intent.HUMAN), ("能不能下个月再处理", Intent.HUMAN),
     ("will it be approved by the weekend?", Intent.HELP)],
)  # fmt: skip
def test_dialects_footers_fields_said_right_and_requests_without_a_confirmation(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "intent", "value"),
    [("名字应该写Zhang Wei", Intent.HUMAN, None), ("应该写成张伟", Intent.CORRECT, "张伟"),
     ("名字写对了", Intent.AMBIGUOUS, None), ("用途其实没写错", Intent.AMBIGUOUS, None)],
)  # fmt: skip
def test_written_as_gives_the_value_and_written_right_takes_it_back(text: str, intent: Intent, value: object) -> None:
    field = Field.PURPOSE if "用途" in text else Field.NAME
    reading = read_reply(text, VALUE, field)
    assert (reading.intent, reading.value) == (intent, value)


@pytest.mark.parametrize("text", ["5是什么", "3是什么意思", "what is 5", "what's option 3"])
def test_asking_what_a_menu_number_means_is_help_not_a_choice(text: str) -> None:
    assert read_reply(text, MENU).intent is Intent.HELP


@pytest.mark.parametrize("text", ["I am not sure", "I am not home now, 1"])
def test_a_state_of_mind_is_no_denial(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is not Intent.WRONG_PERSON


def test_an_unusable_amount_keeps_the_field_it_names() -> None:
    reading = read_reply("金额大概四万左右吧", CONFIRMING)
    assert (reading.intent, reading.field, reading.value) == (Intent.AMBIGUOUS, Field.AMOUNT, None)


@pytest.mark.parametrize(
    "text",
    ["莫再给我发了", "覅发了", "嫑再发短信", "咪再send啦", "别再给这个手机号发了", "把我这个号码删除", "opt me out",
     "pls remove my number from your list", "I do not want your texts", "piss off", "再骚扰我就去投诉",
     "垃圾 滚", "stop calling and texting me", "stop at once", "unsubscribed", "sop", "ST0P", "unsubscr1be",
     "cease messaging me", "enough with your texts", "if you text me once more I will report you to the regulator",
     "我不需要你们的通知", "不用再收这些短信", "滚远点", "滚你的吧", "fuck off"],
)  # fmt: skip
def test_stop_demands_in_dialect_net_spelling_and_plain_english(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.OPT_OUT


@pytest.mark.parametrize(
    "text",
    ["can I stop by the branch tomorrow?", "I quit my job, can I still apply?", "I had to cancel my trip to the bank",
     "the term doesn't end in 12 months, it is 24", "please don't contact my parents about this",
     "stop calling me, texting is fine"],
)  # fmt: skip
def test_the_keywords_as_ordinary_english_verbs_are_not_opt_outs(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is not Intent.OPT_OUT


@pytest.mark.parametrize(
    ("text", "intent"),
    [("对 什么时候有结果", Intent.CONFIRM), ("李*确认", Intent.CONFIRM), ("Wang* confirmed", Intent.CONFIRM),
     ("无误回1", Intent.AMBIGUOUS), ("确认收到啦", Intent.AMBIGUOUS), ("yes, who are you people?", Intent.HUMAN),
     ("1 今天能放款吗 很急", Intent.HUMAN), ("确认，能不能多批一点", Intent.HUMAN), ("对 不过这是真的银行吗",
     Intent.ABUSE_OR_FRAUD_REPORT), ("业务员让我回1然后交3000保证金", Intent.ABUSE_OR_FRAUD_REPORT),
     ("my son applied for me", Intent.HUMAN)],
)  # fmt: skip
def test_what_stands_beside_a_confirm_form_decides_it(text: str, intent: Intent) -> None:
    assert read_reply(text, CONFIRMING).intent is intent


@pytest.mark.parametrize(
    ("text", "state", "field", "value"),
    [("I asked for twelve thousand", CONFIRMING, Field.AMOUNT, 12000), ("two and a half years", VALUE, Field.TERM, 30),
     ("purpose is repairing the roof", CONFIRMING, Field.PURPOSE, "repairing the roof"),
     ("我姓王，叫王小二", VALUE, Field.NAME, "王小二"), ("开小卖部吧", VALUE, Field.PURPOSE, "开小卖部")],
)  # fmt: skip
def test_values_said_the_way_people_say_them(text: str, state: str, field: Field, value: object) -> None:
    asked = field if state == VALUE else None
    reading = read_reply(text, state, asked)
    assert (reading.intent, reading.field, reading.value) == (Intent.CORRECT, field, value)


@pytest.mark.parametrize("text", ["⑴", "⒈", "¹", "₁"])
def test_a_parenthesised_or_dotted_digit_is_not_one_of_the_forms_of_1(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.AMBIGUOUS


@pytest.mark.parametrize(
    "text",
    [
        "对的 我年前就申请了 一直没消息 我这边种地等着用钱 你们到底什么时候能批下来 我都问了好几次了",
        "yes correct. i applied months ago and heard nothing, when will it be approved, i asked many times",
    ],
)
def test_a_procedural_question_inside_a_story_does_not_hide_the_story(text: str) -> None:
    """Clauses are cut at spaces beside ideographs too: only the procedural clause is set aside."""
    assert read_reply(text, CONFIRMING).intent is Intent.HUMAN


@pytest.mark.parametrize(
    "text", ["之前回了TD，现在想恢复", "上次不小心发了退订 能开回来吗", "I replied STOP by mistake, turn it back on"]
)
def test_resuming_that_mentions_the_earlier_opt_out_is_an_opt_in(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.OPT_IN


def test_a_bare_resume_without_an_opt_out_is_not_an_opt_in() -> None:
    assert read_reply("我想恢复我的申请", CONFIRMING).intent is not Intent.OPT_IN


@pytest.mark.parametrize("text", ["我要 cancel 申请", "cancel 这笔贷款", "cancel my loan"])
def test_cancel_beside_the_loan_in_any_language_is_a_withdrawal(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.HUMAN


@pytest.mark.parametrize(
    "text",
    [
        "有人叫我 pay fee 先",
        "有人让我先交500块改金额",
        "1 刚才有个人打电话要我先转五千块",
        "someone pretending to be your bank texted me",
    ],
)
def test_someone_else_asking_for_money_or_posing_as_us_is_a_fraud_report(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.ABUSE_OR_FRAUD_REPORT


def test_the_applicant_offering_to_pay_is_not_a_fraud_report() -> None:
    assert read_reply("我先交500块可以吗", CONFIRMING).intent is Intent.HUMAN


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("贷款用于孩子上学", "孩子上学"),
        ("拿来开网店", "开网店"),
        ("to restock my grocery store", "restock my grocery store"),
    ],
)
def test_a_purpose_loses_its_lead_in(text: str, value: str) -> None:
    reading = read_reply(text, "awaiting_correction_value", Field.PURPOSE)
    assert (reading.intent, reading.value) == (Intent.CORRECT, value)


def test_an_other_detail_keeps_the_label_that_says_which_detail_it_is() -> None:
    assert read_reply("还款日应该是每月10号", "awaiting_correction_value", Field.OTHER).value == "还款日应该是每月10号"


@pytest.mark.parametrize(("text", "value"), [("应为扎西次仁", "扎西次仁"), ("本人姓名诸葛亮亮", "诸葛亮亮")])
def test_a_name_loses_its_lead_in(text: str, value: str) -> None:
    assert read_reply(text, "awaiting_correction_value", Field.NAME).value == value


@pytest.mark.parametrize("text", ["收到一条说我贷款已立案的短信，是你们发的吗", "你们立案了？"])
def test_any_mention_of_a_filed_case_is_a_fraud_report_since_our_texts_never_say_it(text: str) -> None:
    assert read_reply(text, CONFIRMING).intent is Intent.ABUSE_OR_FRAUD_REPORT
