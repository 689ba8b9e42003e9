"""Which fields a reply disputes, and the value it gives for each (policy items 7 and 8).

A reply is cut into segments at each field it names ("金额不对，名字没错" → 金额… | 名字…), so a correction
word only counts against the field it sits next to. A field named on its own with nothing but connectors
("金额和期限都不对") shares the next segment's verdict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from states import lexicon as lx
from states.intents import Field
from states.values import parse_amount, parse_name, parse_term, parse_text

# Something the applicant meant as a number: digits, or a Chinese numeral with a unit.
_NUMERAL = "几一二两三四五六七八九十半壹贰叁肆伍陆柒捌玖拾"
NUMBERISH = re.compile(rf"[0-9]|(?<![{_NUMERAL}])[{_NUMERAL}]+(?:[十百千万元块期年拾佰仟]|个月)")
_VALUE_MARKER = re.compile(
    r"应该是|应该为|应为|应该写成?|改成|改为|更正为|换成|其实是|实际是|而是|是|系|叫做|叫|为|:|"
    r"(?<![a-z])(?:should be|is|to|as|it'?s|it is)(?![a-z])"
)
NEGATED_VALUE = re.compile(r"(?:而)?不是[^,，。;；是]*|(?<![a-z])not [^,.;]*")
_EDGE_PUNCT = re.compile(r"^[\s,，.。:：!！、\-–—]+|[\s,，.。:：!！、\-–—]+$")


@dataclass(frozen=True, slots=True)
class Dispute:
    """One field the reply says is wrong; `unusable` when it offered a value that cannot be taken."""

    field: Field
    value: int | str | None = None
    unusable: bool = False


def _segments(spaced: str) -> list[tuple[tuple[Field, ...], int, int, int]]:
    """(fields, start, end of field word, end) for each segment that starts at a field mention."""
    mentions = list(lx.FIELD_MENTION.finditer(spaced))
    segments: list[tuple[tuple[Field, ...], int, int, int]] = []
    pending: list[Field] = []
    start = 0
    for i, mention in enumerate(mentions):
        end = mentions[i + 1].start() if i + 1 < len(mentions) else len(spaced)
        if not pending:
            start = mention.start()
        pending.append(Field(mention.lastgroup or "other"))
        rest = spaced[mention.end() : end].replace(" ", "")
        if i + 1 < len(mentions) and lx.FIELD_JOINER.match(rest):
            continue
        segments.append((tuple(dict.fromkeys(pending)), start, mention.end(), end))
        pending = []
    return segments


def has_correction(spaced: str) -> bool:
    """A correction word (不对, 错了, 应该是, wrong…) anywhere, ignoring 'no need to change' phrases."""
    cleaned = lx.NO_CHANGE.sub(" ", spaced)
    return bool(lx.CORRECTION_ZH.search(cleaned.replace(" ", "")) or lx.CORRECTION_EN.search(cleaned))


# "名字也对": said of one field among others, 也对 says it is right too (alone it is no confirmation).
_ALSO_RIGHT = re.compile(r"(?<![不没])也(?:都)?(?:对|没错|没问题|正确|无误|ok)")


def has_confirm_word(spaced: str) -> bool:
    compact = spaced.replace(" ", "")
    return bool(lx.CONFIRM_ZH.search(compact) or _ALSO_RIGHT.search(compact) or lx.CONFIRM_EN.search(spaced))


def _text_value(segment: str, cased: str, field_end: int) -> str | None:
    """The text after the last value marker (名字应该是张三 → 张三), or after the field word itself.

    Markers are found in the folded `segment`; the value is cut from `cased`, which lines up with it.
    """
    body, body_cased = segment, cased
    for negated in NEGATED_VALUE.finditer(segment):  # "不是李四": blank it in both forms, keeping positions
        blank = " " * (negated.end() - negated.start())
        body = body[: negated.start()] + blank + body[negated.end() :]
        body_cased = body_cased[: negated.start()] + blank + body_cased[negated.end() :]
    markers = list(_VALUE_MARKER.finditer(body))
    start = markers[-1].end() if markers else field_end
    folded = _EDGE_PUNCT.sub("", body[start:])
    if not lx.FILLER.sub("", folded) or has_correction(folded):
        return None  # "name is wrong": the words after the marker are the complaint, not a value
    return _EDGE_PUNCT.sub("", body_cased[start:]) or None


def field_value(field: Field, segment: str, cased: str, field_end: int = 0) -> Dispute:
    """Parse the value for `field` out of one segment (lower-case `segment`, original-case `cased`)."""
    segment = lx.DIGIT_SLIP.sub(" ", segment)  # "多了个0" says the amount is wrong; its 0 is no value
    compact = segment.replace(" ", "")
    if field in (Field.AMOUNT, Field.TERM):
        if not NUMBERISH.search(compact) and not lx.NUMBER_WORD.search(segment):
            return Dispute(field)
        value = parse_amount(segment) if field is Field.AMOUNT else parse_term(segment)
        return Dispute(field, value, unusable=value is None)
    candidate = _text_value(segment, cased, field_end)
    if candidate is None:
        return Dispute(field)
    text_value = parse_name(candidate) if field is Field.NAME else parse_text(candidate, purpose=field is Field.PURPOSE)
    return Dispute(field, text_value, unusable=text_value is None)


# "我叫李建华，不是李建国", "my name is Li Hua not Li Ming": the applicant gives the right name against the one we hold.
_NAME_CONTRAST = re.compile(
    r"^(?:我叫|我的名字是|我的名字叫|我是|本人是?|my name is|i am|i'?m) ?"
    r"(?P<name>[\u3400-\u9fff]{2,4}|[a-z]+(?: [a-z]+)?)"
    r" ?[,，]? ?(?:不是|而不是|不叫|not) ?(?P<held>[\u3400-\u9fff]{2,4}|[a-z]+(?: [a-z]+)?)[。.!！]*$",
    re.IGNORECASE,
)


def name_contrast(cased: str) -> Dispute | None:
    """The name a self-introduction sets against another ("我叫X，不是Y"), or None. Only a near miss (the same
    surname, or a shared word in a Latin name) is a misspelt name; "我是张三，不是李四" may be someone else."""
    match = _NAME_CONTRAST.match(cased.strip())
    if match is None or not _near_miss(match.group("name"), match.group("held")):
        return None
    name = parse_name(match.group("name"))
    return Dispute(Field.NAME, name, unusable=name is None)


def _near_miss(given: str, held: str) -> bool:
    if re.match(r"[\u3400-\u9fff]", given):
        return given[0] == held[0]
    return bool(set(given.lower().split()) & set(held.lower().split()))


def find_disputes(spaced: str, cased: str, *, at_menu: bool) -> list[Dispute]:
    """Every field the reply disputes, with its value when one is given.

    At the field menu naming a field is choosing it; elsewhere a field counts when a correction word or a
    value sits next to it, or when the reply is nothing but field names ("金额", "2 金额"). A correction
    word just before the first field name ("wrong amount", "错的是金额") counts against that field.
    """
    contrast = None if at_menu else name_contrast(cased)
    if contrast is not None:
        return [contrast]
    spaced, cased = _without_rest_is_right(spaced), _without_rest_is_right(cased)
    names_only = not lx.FILLER.sub("", lx.FIELD_MENTION.sub("", re.sub(r"[0-9]", "", spaced)))
    segments = _segments(spaced)
    leading = bool(segments) and has_correction(spaced[: segments[0][1]])
    disputes: list[Dispute] = []
    for index, (fields, start, field_end, end) in enumerate(segments):
        segment, seg_cased = spaced[start:end], cased[start:end]
        if fields == (Field.NAME,) and _introduces_self(spaced, start, segment):
            continue
        led = index == 0 and leading and not has_confirm_word(segment)
        led = led or (index == 0 and _doubted_before(spaced, start)) or _states_a_value(spaced, start, segment)
        # at the menu the clause naming the field is the choice; a remark after it ("不是说了嘛") does not undo it
        judged = _first_clause(segment, field_end - start) if at_menu else segment
        if not led and not _is_disputed(judged, at_menu=at_menu, names_only=names_only):
            continue
        if len(fields) > 1:
            disputes.extend(Dispute(field) for field in fields)
        else:
            disputes.append(field_value(fields[0], segment, seg_cased, field_end - start))
    return disputes


_CLAUSE_END = re.compile(r"[,.!?;，。！？；]")


# "not sure the term is right": doubt about a named field, said before it, makes that field a correction.
_DOUBT_BEFORE = re.compile(r"not sure|unsure|not certain|不确定|不太确定|拿不准|不知道对不对|怀疑|担心|worried")
# "purpose is buying seeds", "name: Li Na": a field stated with its value, in English (Chinese 是/为 is a marker).
_STATES_A_VALUE = re.compile(
    r"[a-z]+ ?(?:is|should be|=|:) ?(?!(?:right|correct|fine|ok|okay|good|true|wrong|incorrect|not|no|ok)(?![a-z]))"
    r"[a-z\u3400-\u9fff]"
)


def _doubted_before(spaced: str, start: int) -> bool:
    clause = _CLAUSE_END.split(spaced[:start])[-1]
    return bool(_DOUBT_BEFORE.search(clause))


def _states_a_value(spaced: str, start: int, segment: str) -> bool:
    """ "purpose is X" names a value; "my name is X" introduces the applicant, it corrects nothing."""
    return bool(_STATES_A_VALUE.match(segment)) and not spaced[:start].endswith(("my ", "my"))


def _introduces_self(spaced: str, start: int, segment: str) -> bool:
    """ "my name is Li Na" introduces the applicant; "my name is spelt wrong" disputes the name."""
    introduced = spaced[:start].endswith("my ") and bool(re.match(r"name ?(?:is|:)", segment))
    return introduced and not has_correction(segment[4:])


def _without_rest_is_right(text: str) -> str:
    """The text with "the rest is right" blanked out, each character by a space (`cased` stays aligned)."""
    return lx.REST_IS_RIGHT.sub(lambda m: " " * len(m.group()), text)


def _first_clause(segment: str, field_end: int) -> str:
    stop = _CLAUSE_END.search(segment, field_end)
    return segment[: stop.start()] if stop else segment


def _is_disputed(segment: str, *, at_menu: bool, names_only: bool) -> bool:
    if has_correction(segment):
        return True
    compact = segment.replace(" ", "")
    if has_confirm_word(segment) or lx.QUESTION.search(compact):
        return False  # restating or asking about a field is not disputing it
    if at_menu or NUMBERISH.search(compact) or lx.NUMBER_WORD.search(segment) or _VALUE_MARKER.search(compact):
        return True
    if lx.WORRY.search(compact) or lx.WORRY.search(segment) or lx.HEDGE.search(compact):
        return True  # doubt about a named field is a correction of that field
    return names_only
