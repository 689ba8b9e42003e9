"""Safety properties of the reader (issue 10): nothing outside the confirm grammar confirms, every opt-out word
and every one-typo spelling of the Latin ones opts out wherever it stands, and no input makes the reader fail."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from states.confirmation import leftover
from states.intents import Field, Intent
from states.optout import FUZZY_KEYWORDS, NEAR_MISSES
from states.reader import read_reply
from states.reply import Reply

CONFIRMING = "awaiting_confirmation"
STATES = st.sampled_from(
    ["awaiting_confirmation", "awaiting_correction_field", "awaiting_correction_value", "handed_off", "closed",
     "confirmed", "opted_out", "none"]
)  # fmt: skip
CONFIRM_FORMS = st.sampled_from(
    ["1", "１", "①", "1️⃣", "确认", "確認", "没错", "正确", "无误", "没问题", "都对", "yes", "Yes", "correct",
     "confirmed", "looks good", "冇問題", "queren", "确任", "回复1", "对的", "是的"]
)  # fmt: skip
# Additions the policy reads as something else: requests, conditions, doubts, stories, other people, fees.
ADDITIONS = st.sampled_from(
    ["快点放款", "麻烦加急", "能不能今天就放款", "please hurry", "call me", "如果利息不高", "if the rate is ok",
     "但是我有点担心", "不过我不太确定", "我家里有老人要看病所以急用钱", "中介让我回的", "我帮我爸回的",
     "my son told me to reply", "要交手续费吗", "can you raise it to 80000", "额度能提高吗", "金额不对",
     "我想明天就拿到钱", "我老婆说的", "转人工", "I need the money today", "what are the fees", "5万左右",
     "期限要改成24个月", "I work at the market all day"]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "，", "。", ",", ", ", "! ", "；", "\n", ""])
NOTICE_ZH = (
    "【示例农商银行】张*您好，您8月3日10:15提交的5万元贷款申请已受理，审核中。无误回1，需更正回2。客服95XXX，回T退订"
)
NOTICE_EN = (
    "ExampleBank: Zhang*, your loan application for 50,000 (Aug 3 10:15) is under review. Reply 1 if correct, 2 to "
    "correct. Help 95XXX. STOP to opt out"
)
OPT_OUT_WORDS = st.sampled_from(
    ["TD", "退订", "退訂", "拒收", "0000", "STOP", "stop", "ＳＴＯＰ", "STOPALL", "UNSUBSCRIBE", "CANCEL", "cancel",
     "END", "QUIT", "REVOKE", "OPT OUT", "opt-out", "别再发了", "不要再发短信", "leave me alone", "stop texting me",
     "不要再发了"]
)  # fmt: skip
OTHER_TEXT = st.sampled_from(
    ["1", "确认", "好的", "金额不对", "谢谢", "是我本人", "5万", "ok", "yes", "没问题", "什么时候放款", "转人工",
     "骗子", "不是我", "help", "?", "嗯", "你好", "我是张伟", "他妈的", "我要投诉到12321", "请", "please",
     "fuck", "you idiots", "拜托了"]
)  # fmt: skip


def _typos(word: str) -> set[str]:
    """Every spelling one edit from `word`: a letter wrong, missing, added, or two neighbours swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in cuts if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in cuts if b for c in letters}
    edits |= {a + c + b for a, b in cuts for c in letters}
    return edits


# English words one edit from a keyword (shop, quite, cancer) are prose, not typos: the reader's own list.
TYPOS = sorted({t for key in FUZZY_KEYWORDS for t in _typos(key)} - NEAR_MISSES - {"opt", "out", "stoall"})
TYPO = st.sampled_from(TYPOS).flatmap(lambda t: st.sampled_from([t, t.upper(), t.capitalize()]))


@settings(deadline=None, max_examples=400)
@given(form=CONFIRM_FORMS, addition=ADDITIONS, separator=SEPARATORS, before=st.booleans())
def test_a_confirm_form_with_anything_meaningful_beside_it_is_not_confirm(
    form: str, addition: str, separator: str, before: bool
) -> None:
    text = addition + separator + form if before else form + separator + addition
    assert read_reply(text, CONFIRMING).intent is not Intent.CONFIRM, text


@settings(deadline=None, max_examples=400)
@given(text=st.text(max_size=60), state=STATES)
def test_a_reply_reads_as_confirm_only_when_the_grammar_leaves_nothing(text: str, state: str) -> None:
    if read_reply(text, state).intent is Intent.CONFIRM:
        assert leftover(Reply(text)) == "", text


@settings(deadline=None, max_examples=200)
@given(
    notice=st.sampled_from([NOTICE_ZH, NOTICE_EN]),
    addition=st.sampled_from(["", "?", "这是真的吗", "is this real", "什么意思", "你们是谁", "？？"]),
    cut=st.integers(min_value=0, max_value=20),
)
def test_our_own_notice_quoted_back_neither_confirms_nor_opts_out(notice: str, addition: str, cut: int) -> None:
    quoted = notice[cut:] + " " + addition
    reading = read_reply(quoted, CONFIRMING, sent_texts=(NOTICE_ZH, NOTICE_EN))
    assert reading.intent not in (Intent.CONFIRM, Intent.OPT_OUT), quoted


@settings(deadline=None, max_examples=400)
@given(
    before=st.lists(OTHER_TEXT, max_size=3),
    word=st.one_of(OPT_OUT_WORDS, TYPO),
    after=st.lists(OTHER_TEXT, max_size=3),
    separator=st.sampled_from([" ", "，", "。", ", ", "\n", "　", "! "]),
    state=STATES,
)
def test_every_opt_out_word_and_latin_typo_inside_any_text_opts_out_in_every_state(
    before: list[str], word: str, after: list[str], separator: str, state: str
) -> None:
    text = separator.join([*before, word, *after])
    assert read_reply(text, state, Field.AMOUNT).intent is Intent.OPT_OUT, text


@settings(deadline=None, max_examples=100)
@given(letter=st.sampled_from(["T", "t", "R", "r", "Ｔ", "Ｒ"]), digit=st.sampled_from(["", "1", " 1", "1 ", "2"]))
def test_a_single_letter_alone_or_beside_a_digit_opts_out(letter: str, digit: str) -> None:
    text = digit + letter if digit.endswith(" ") else letter + digit
    assert read_reply(text, CONFIRMING).intent is Intent.OPT_OUT, text


@settings(deadline=None, max_examples=50)
@given(text=st.sampled_from(["滚", "滚！", "滚蛋", "滚滚滚", "给我滚", "滚开"]), state=STATES)
def test_a_bare_gun_is_a_stop_demand(text: str, state: str) -> None:
    assert read_reply(text, state).intent is Intent.OPT_OUT


@settings(deadline=None, max_examples=150)
@given(
    text=st.text(min_size=1, max_size=1600),
    state=STATES,
    field=st.sampled_from([None, *Field]),
    name=st.sampled_from([None, "张伟", "Zhang Wei", ""]),
    sent=st.lists(st.text(max_size=200), max_size=2),
)
def test_the_reader_never_raises_on_any_text_up_to_twilios_limit(
    text: str, state: str, field: Field | None, name: str | None, sent: list[str]
) -> None:
    reading = read_reply(text, state, field, applicant_name=name, sent_texts=sent)
    assert isinstance(reading.intent, Intent)
    assert len(reading.redacted_text) == len(text)
