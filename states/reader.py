"""Decide what an applicant's SMS reply means (DOMAIN.md, "How replies are read").

The reader is conservative: it confirms only on the digit 1 or an explicit statement, and anything it cannot
place is ambiguous, which makes the conversation re-prompt or hand off. It is pure and allocation-light, so
it can run inside the webhook's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from states import lexicon as lx
from states.confirmation import has_confirm_form, read_confirm
from states.corrections import NEGATED_VALUE, NUMBERISH, Dispute, field_value, find_disputes, has_correction
from states.escalations import read_escalation, read_long_reply
from states.intents import FIELD_MENU, Field, Intent, Reading
from states.quotes import without_our_instructions, without_quotes
from states.reply import Reply, redact_id_numbers, without_choices
from states.values import english_numbers, parse_amount, parse_name, parse_term, parse_text

_CHOICE_JOINER = re.compile(r"^[0-9]+(?:(?:[、&+]|和|跟|与|还有|and)[0-9]+)+$")
_MENU_DIGIT = re.compile(r"^(?:选|回复?|按|第)?([1-9一壹二贰两三叁四五])(?:号|项|个|条)?(?:选项)?$")
_QUESTIONED_DIGIT = re.compile(r"(?:2|二|贰)(?:吗|嘛|么|[?？])")
_QUESTIONED_CHOICE = re.compile(r"[0-9一二两三四五壹贰叁](?:吗|嘛|么|[?？])")
_LEADING_PUNCT = frozenset(" .,，。、:：;；-")
# At the field menu "all of them" or "both" disputes several fields at once.
_EVERY_FIELD = re.compile(
    r"^(?:全部|所有|全都|都|全|统统|两个都|all|all of them|everything|both)"
    r"(?: ?(?:都|要|要改|错了|不对|改|wrong|are wrong))*[.。!！]*$"
)
_VALUE_MARKER = re.compile(r"应该?(?:是|系|为|改成?|写成?)")
_MENU_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "一": "1",
    "壹": "1",
    "二": "2",
    "贰": "2",
    "两": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "五": "5",
}


def read_reply(
    text: str,
    state: str,
    asked_field: Field | None = None,
    *,
    applicant_name: str | None = None,
    sent_texts: Iterable[str] = (),
) -> Reading:
    """Read one inbound reply in the context of the conversation state.

    `state` is a `State` value; at the value prompt (`awaiting_correction_value`) `asked_field` names the
    field asked for. `applicant_name` (the full name on file) lets a confirmation signed with it stay a
    confirmation. `sent_texts` are the bodies we sent this phone (newest first is fine): a copy of one of them
    inside the reply is cut out before reading, so a quoted notice neither opts out nor confirms. Returns a
    `Reading` whose `redacted_text` is `text` with full ID numbers masked. Pure: no I/O, no clock, no
    randomness.
    """
    unquoted = without_our_instructions(without_quotes(text, sent_texts) if sent_texts else text)
    redacted = redact_id_numbers(text)
    if len(unquoted) > LONG_REPLY:
        return Reading(read_long_reply(unquoted), redacted_text=redacted)
    reply = Reply(unquoted, applicant_name)
    escalation = read_escalation(reply)
    if escalation is not None:
        return Reading(escalation, redacted_text=redacted)
    if state == "awaiting_correction_value" and asked_field is not None:
        intent, field, value, with_help = _read_value(reply, asked_field)
    elif state == "awaiting_correction_field":
        intent, field, value, with_help = _read_menu(reply)
    else:
        intent, field, value, with_help = _read_confirmation(reply, state)
    return Reading(intent, field, value, with_help, redacted)


_Verdict = tuple[Intent, Field | None, int | str | None, bool]

# Longer than two full Chinese SMS segments: a letter, not an answer to a prompt. It is read for an opt-out
# (which wins everywhere) and otherwise handed to staff; it never confirms or corrects. This also bounds the
# reader's time on the 1,600-character messages Twilio may deliver.
LONG_REPLY = 200


def _from_disputes(disputes: list[Dispute]) -> _Verdict | None:
    if len({d.field for d in disputes}) > 1:
        return Intent.HUMAN, None, None, False  # several fields disputed at once: staff
    if not disputes:
        return None
    values = {d.value for d in disputes if d.value is not None}
    if len(values) > 1 or (not values and any(d.unusable for d in disputes)):
        return Intent.AMBIGUOUS, disputes[0].field, None, False  # unusable as written: the field is kept
    return Intent.CORRECT, disputes[0].field, values.pop() if values else None, False


# One digit held down ("1111", "2222"): a keypad slip or an insistent 1, never an amount.
_UNITLESS = re.compile(r"([0-9])\1+[.。!！]*")


def _bare_value(spaced: str) -> _Verdict | None:
    """A value without a field name (5万, 12期) corrects the field the value belongs to."""
    if lx.NUMBER_WORD.search(spaced):
        spaced = english_numbers(spaced)  # "I asked for fifteen thousand"
    if lx.DIGIT_SLIP.search(spaced.replace(" ", "")):
        return Intent.CORRECT, Field.AMOUNT, None, False  # "多了个0": the amount is wrong, the right one unsaid
    compact = spaced.replace(" ", "")
    if not NUMBERISH.search(compact):
        return None
    amount, term = parse_amount(spaced), parse_term(spaced)
    if re.search(r"期|个月|年|month|year", compact) and term is not None:
        return Intent.CORRECT, Field.TERM, term, False
    if amount is not None and not _UNITLESS.fullmatch(compact):
        return Intent.CORRECT, Field.AMOUNT, amount, False
    if amount is not None or re.search(r"[0-9一二两三四五六七八九十]\s*[万wk千元块]|[0-9]{3,}", compact):
        return Intent.AMBIGUOUS, Field.AMOUNT, None, False  # an amount was meant, but cannot be used as written
    return None


def _general_correction(reply: Reply) -> _Verdict:
    """A correction that names no field: the value it carries, if any, tells which field."""
    return _bare_value(without_choices(reply.spaced)) or (Intent.CORRECT, None, None, False)


def _read_confirmation(reply: Reply, state: str) -> _Verdict:
    disputes = find_disputes(reply.spaced, reply.cased, at_menu=False)
    verdict = _from_disputes(disputes)
    if verdict is not None:
        return verdict
    if lx.HELP_ONLY.search(reply.compact) or lx.HELP_ONLY.search(reply.spaced):
        return Intent.HELP, None, None, False  # "回复2会怎样" asks about the digit, it does not send it
    several = reply.several_digits
    digit_two = reply.choices == ["2"] or lx.CORRECT_WHOLE.match(reply.core) or reply.core in ("2号", "选2")
    if not several and digit_two:
        if reply.search(lx.HEDGE) or _QUESTIONED_DIGIT.search(reply.compact):
            return Intent.AMBIGUOUS, None, None, False  # "2吧", "2?": a hedged or questioned digit is no answer
        return _general_correction(reply)
    if has_correction(reply.spaced) and not several:
        return _general_correction(reply)
    if state == "opted_out" and re.fullmatch(r"yes|y|是", reply.core):
        return Intent.OPT_IN, None, None, False  # YES resubscribes only once opted out
    confirm = read_confirm(reply, at_confirmation=True)
    if confirm is not None:
        return confirm[0], None, None, confirm[1]
    if not reply.choices:
        bare = _bare_value(reply.spaced)
        if bare is not None and bare[0] is Intent.CORRECT and lx.QUESTION.search(reply.compact):
            return Intent.AMBIGUOUS, None, None, False  # "是不是5万" asks about a value, it does not give one
        if bare is not None:
            return bare
    return _fallback(reply)


def _confirm_or_fallback(reply: Reply) -> _Verdict:
    verdict = read_confirm(reply, at_confirmation=False)
    if verdict is None:
        return _fallback(reply)
    return verdict[0], None, None, verdict[1]


def _fallback(reply: Reply) -> _Verdict:
    if reply.search(lx.WORRY):
        return Intent.HUMAN, None, None, False  # a worry is for staff to answer, not the bot
    if reply.search(lx.OPT_IN):
        return Intent.OPT_IN, None, None, False
    if reply.search(lx.HELP) or lx.HELP_ONLY.search(reply.compact):
        return Intent.HELP, None, None, False
    if reply.search(lx.QUESTION_ON_CONFIRM) or lx.PING.match(reply.compact) or reply.choices:
        return Intent.AMBIGUOUS, None, None, False
    if reply.search(lx.QUESTION) and re.search(r"[\u3400-\u9fff]|[a-z]+ [a-z]+", reply.spaced):
        return Intent.HELP, None, None, False  # any other question about the message: answer with help
    return Intent.AMBIGUOUS, None, None, False


def _read_menu(reply: Reply) -> _Verdict:
    """At the field menu a digit 1-5 or a field's name picks the field; a value may come with it."""
    unmarked = _VALUE_MARKER.sub("", reply.compact)  # "应该是3万" introduces a value, it hedges nothing
    if (lx.HELP_ONLY.search(reply.compact) or lx.HELP_ONLY.search(reply.spaced)) and not has_correction(reply.spaced):
        return Intent.HELP, None, None, False  # "5其他是指什么": a question about the menu, not a choice
    if _EVERY_FIELD.match(reply.compact) or _EVERY_FIELD.match(reply.spaced):
        return Intent.HUMAN, None, None, False
    if _QUESTIONED_CHOICE.search(reply.compact) and not has_correction(reply.spaced):
        return Intent.AMBIGUOUS, None, None, False  # "1吗": a question, not a choice
    if lx.HEDGE.search(unmarked) and not has_correction(reply.spaced):
        return Intent.AMBIGUOUS, None, None, False  # "2吧", "应该是金额吧": a hedged choice is no answer
    choice = reply.choices[0] if len(reply.choices) == 1 and len(reply.choices[0]) == 1 else None
    numbered = _MENU_DIGIT.match(reply.core)
    number = _MENU_WORDS.get(numbered.group(1), numbered.group(1)) if numbered else None
    if number in FIELD_MENU:
        return Intent.CORRECT, FIELD_MENU[number], None, False  # "1号", "选2", "第二项"
    if choice is None and reply.core in _MENU_WORDS:
        choice = _MENU_WORDS[reply.core]
    if choice is None and len(reply.choices) > 1:
        joined = _CHOICE_JOINER.match(reply.compact)
        if joined and len(set(reply.choices)) > 1 and all(c in FIELD_MENU for c in reply.choices):
            return Intent.HUMAN, None, None, False  # "2和3": several fields at once
        return Intent.AMBIGUOUS, None, None, False
    disputes = find_disputes(reply.spaced, reply.cased, at_menu=True)
    if choice in FIELD_MENU:
        return _menu_choice(reply, FIELD_MENU[choice], disputes)
    verdict = _from_disputes(disputes)
    if verdict is not None:
        return verdict
    if choice is None and not reply.choices:
        bare = _bare_value(reply.spaced)
        if bare is not None:
            return bare
    return _retraction_or_fallback(reply)  # "都对，不用改了" after asking to correct: re-prompt, never confirm


def _menu_choice(reply: Reply, field: Field, disputes: list[Dispute]) -> _Verdict:
    """A menu digit, possibly with the field's name or a value after it ("2 金额", "2，改成3万")."""
    if disputes:
        if {d.field for d in disputes} != {field}:
            return Intent.AMBIGUOUS, None, None, False  # the digit and the words name different fields
        return _from_disputes(disputes) or (Intent.CORRECT, field, None, False)
    digit = re.search(r"[0-9]", reply.spaced)
    start = digit.end() if digit else len(reply.spaced)
    while start < len(reply.spaced) and reply.spaced[start] in _LEADING_PUNCT:
        start += 1  # "2. 3万": the value starts after the punctuation that follows the digit
    rest, cased = reply.spaced[start:], reply.cased[start:]
    if not lx.FILLER.sub("", rest):
        return Intent.CORRECT, field, None, False
    dispute = field_value(field, rest, cased)
    if dispute.unusable:
        return Intent.AMBIGUOUS, None, None, False
    return Intent.CORRECT, field, dispute.value, False


def _read_value(reply: Reply, field: Field) -> _Verdict:
    """At a value prompt the reply is the value of the field asked for, unless it is plainly not a value."""
    if reply.search(lx.WORRY) or reply.search(lx.REQUEST):
        return Intent.HUMAN, None, None, False  # "3万 但是我担心", "3万 尽快放款": for staff, value or not
    if lx.INDIFFERENT.search(reply.compact) or lx.INDIFFERENT.search(reply.spaced):
        return Intent.AMBIGUOUS, None, None, False  # "多少都行": no value to take
    labelled = _VALUE_LABEL.sub("", reply.cased, count=1).strip(" ,，:：")
    if labelled and labelled != reply.cased.strip():
        reply = reply.part(labelled)  # "正确姓名：赵钱": the value after it
    if field in (Field.AMOUNT, Field.TERM):
        return _read_number_value(reply, field)
    unhedged = lx.TRAILING_HEDGE.sub("", reply.cased, count=1) if lx.TRAILING_HEDGE.search(reply.spaced) else ""
    if unhedged.strip():
        reply = reply.part(unhedged)  # "买化肥吧" at the purpose prompt: the value, hedge or not
    named = find_disputes(reply.spaced, reply.cased, at_menu=False)
    disputes = [d for d in named if d.field is not field]
    if _not_a_text_value(reply):
        return _retraction_or_fallback(reply)
    candidate = NEGATED_VALUE.sub(" ", reply.cased).strip()
    if field is not Field.OTHER:
        candidate = _after_strong_marker(candidate)  # an "other" detail keeps the label saying which one it is
    text = parse_name(candidate) if field is Field.NAME else parse_text(candidate, purpose=field is Field.PURPOSE)
    if text is not None and disputes and not any(d.field is field for d in named):
        text = None  # "金额不对" at the name prompt names another field and gives no name
    if text is None:
        return _from_disputes(disputes) or (Intent.AMBIGUOUS, None, None, False)
    if field is Field.NAME and _latin_name_in_chinese(reply, text):
        return Intent.HUMAN, None, None, False  # a pinyin name in a Chinese thread: staff check the spelling
    return Intent.CORRECT, field, text, False


def _read_number_value(reply: Reply, field: Field) -> _Verdict:
    """Amount or term: the asked field's value is taken even when other fields are disputed alongside."""
    spaced = lx.TRAILING_HEDGE.sub("", reply.spaced)  # "一年吧" at the term prompt is a term, hedge or not
    value = parse_amount(spaced) if field is Field.AMOUNT else parse_term(spaced)
    if value is not None:
        return Intent.CORRECT, field, value, False
    named = find_disputes(reply.spaced, reply.cased, at_menu=False)
    disputes = [d for d in named if d.field is not field]
    verdict = _from_disputes(disputes) if len({d.field for d in named}) <= 1 else (Intent.HUMAN, None, None, False)
    if verdict is not None:
        return verdict
    if NUMBERISH.search(reply.compact) or lx.NUMBER_WORD.search(reply.spaced):
        return Intent.AMBIGUOUS, None, None, False
    return _retraction_or_fallback(reply)


def _retraction_or_fallback(reply: Reply) -> _Verdict:
    """ "期限是对的", "不用改" at a value prompt take the correction back: re-prompt, never confirm."""
    if has_confirm_form(reply, at_confirmation=False) or lx.NO_CHANGE.search(reply.compact + " " + reply.spaced):
        return Intent.AMBIGUOUS, None, None, False
    return _confirm_or_fallback(reply)


# A label before the value ("正确姓名：赵钱", "correct name: Li Na"): not a confirmation that the field was right.
_VALUE_LABEL = re.compile(
    r"^\s*(?:正确|正確|对|對)的?(?:姓名|名字|金额|金額|期限|用途|信息)\s*(?:是|为|為|:|：)?|"
    r"^\s*(?:the )?(?:correct|right) (?:name|amount|term|purpose)(?: is|:)?",
    re.IGNORECASE,
)
# Markers that plainly introduce the right value after a complaint ("名字少了个字，应该是张晓燕"). Weaker markers
# (是, 为) are left alone: they occur inside names and purposes.
_STRONG_MARKER = re.compile(
    r"应该是|应该为|应为|应该写成?|应写成?|改成|改为|更正为|换成|写成|其实是|实际是|而是|正确的是|"
    r"should be|change it to"
)


def _after_strong_marker(cased: str) -> str:
    markers = list(_STRONG_MARKER.finditer(cased.lower()))
    if not markers or markers[-1].start() == 0:
        return cased
    rest = cased[markers[-1].end() :].strip(" ,，:：.。")
    return rest or cased


def _latin_name_in_chinese(reply: Reply, name: str) -> bool:
    """A name in Latin letters (pinyin, an English name), wholly or in part, in a reply written in Chinese."""
    return bool(re.search(r"[\u3400-\u9fff]", reply.written)) and bool(re.search(r"[a-zA-Z]", name))


def _not_a_text_value(reply: Reply) -> bool:
    """Acknowledgements, hedges, questions and confirmations are never a name or a purpose."""
    if not reply.core or (lx.ACKNOWLEDGEMENT.match(reply.core) and len(reply.core) <= 4):
        return True
    if lx.BARE_YES.match(reply.core) or lx.CONFIRM_WHOLE.match(reply.core):
        return True
    if lx.HELP_ONLY.search(reply.compact) or reply.search(lx.OPT_IN):
        return True
    if reply.search(lx.HELP) and len(reply.core) <= 4:
        return True  # "帮助", "help"; longer text may well be a purpose that mentions 材料 or 进度
    if reply.search(lx.HEDGE) or lx.QUESTION.search(reply.compact):
        return True
    if reply.search(lx.CONFIRM_ZH, lx.CONFIRM_EN) or lx.NO_CHANGE.search(reply.spaced):
        return True
    return has_correction(reply.spaced) and len(reply.core) <= 4
