"""Properties that must hold for any reply, not only the ones someone thought to write down."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from states.intents import Intent
from states.reader import read_reply

STATES = st.sampled_from(["awaiting_confirmation", "awaiting_correction_field", "handed_off", "closed"])

# Characters and words from which no confirm form (1, 一, 是, 对, 确认, yes, correct, ...) can be built.
NON_CONFIRM_PIECES = st.sampled_from(
    ["好", "的", "收到", "嗯", "可以", "谢谢", "金额", "期限", "名字", "吗", "吧", "?", "。", "，", " ",
     "3", "4", "5", "6", "7", "8", "9", "0", "ok", "sure", "thanks", "hello", "我", "你", "申请", "贷款",
     "万", "元", "l", "I", "!", "👍", "　", "本人", "应该", "大概", "明天", "银行", "短信", "ｌ", "Ｉ",
     "！", "tomorrow", "thank you"]
)  # fmt: skip
# T and R stand for the keyword only alone or beside a digit (tests/states/test_reader_safety.py); here they
# are the whole reply's neighbours' business, so the words inside any text are the rest.
OPT_OUT_WORDS = st.sampled_from(
    ["TD", "退订", "退訂", "拒收", "0000", "STOP", "stop", "ＳＴＯＰ", "STOPALL", "UNSUBSCRIBE",
     "CANCEL", "END", "QUIT", "REVOKE", "OPT OUT", "opt out", "别再发了", "不要再发了", "leave me alone",
     "Stop texting me"]
)  # fmt: skip
OTHER_TEXT = st.sampled_from(
    ["1", "确认", "好的", "金额不对", "谢谢", "是我本人", "5万", "ok", "yes", "没问题", "什么时候放款",
     "转人工", "骗子", "不是我", "help", "?", "嗯", "你好"]
)  # fmt: skip
SEPARATORS = st.sampled_from([" ", "，", "。", ",", "\n", "　", "! ", "；"])


@settings(deadline=None, max_examples=300)
@given(pieces=st.lists(NON_CONFIRM_PIECES, max_size=8), state=STATES)
def test_a_reply_with_no_confirm_form_is_never_read_as_confirm(pieces: list[str], state: str) -> None:
    assert read_reply("".join(pieces), state).intent is not Intent.CONFIRM


@settings(deadline=None, max_examples=300)
@given(
    before=st.lists(OTHER_TEXT, max_size=3),
    word=OPT_OUT_WORDS,
    after=st.lists(OTHER_TEXT, max_size=3),
    separator=SEPARATORS,
    state=STATES,
)
def test_any_reply_containing_an_opt_out_word_reads_as_opt_out(
    before: list[str], word: str, after: list[str], separator: str, state: str
) -> None:
    text = separator.join([*before, word, *after])
    assert read_reply(text, state).intent is Intent.OPT_OUT, text


@settings(deadline=None, max_examples=200)
@given(text=st.text(max_size=40), state=STATES)
def test_any_text_at_all_is_read_without_error_and_keeps_its_redacted_text(text: str, state: str) -> None:
    reading = read_reply(text, state)
    assert isinstance(reading.intent, Intent)
    assert len(reading.redacted_text) == len(text)
