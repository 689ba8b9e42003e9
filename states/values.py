"""Parse the value an applicant gives for a field (policy item 8).

Every parser returns None for a value that cannot be used as written: approximations (5万左右), ranges
(5到6万), hedges, foreign currency, a number too small to be a loan. None makes the reader re-prompt rather
than guess; staff verify every accepted value anyway.
"""

from __future__ import annotations

import re

from states.normalise import normalise, normalise_spaced

MIN_AMOUNT = 1000  # yuan; below this a bare number is a menu digit or a slip, not a loan amount
MAX_AMOUNT = 10_000_000  # yuan; also keeps phone and ID numbers from ever reading as amounts
MAX_TERM = 120  # months
MIN_BARE_MONTHS = 6  # a bare 3 may be years or months (policy: ambiguous); 6 and up are read as months
MAX_TEXT = 100

_DIGITS = {c: i for i, chars in enumerate(("零〇0", "一壹1", "二贰两2", "三叁3", "四肆4", "五伍5", "六陆6",
                                          "七柒7", "八捌8", "九玖9")) for c in chars}  # fmt: skip
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN = "零〇一壹二贰两三叁四肆五伍六陆七柒八捌九玖十拾百佰千仟"

_THOUSANDS_SEP = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_ID_OR_PHONE = re.compile(r"(?<!\d)(?:\d{17}[\dx]|\d{15}|1\d{10})(?!\d)")
_FOREIGN = re.compile(
    r"\$|usd|us\$|hk|美元|美金|港币|港元|港纸|欧元|€|£|英镑|日元|yen|台币|ntd|sgd|新币|马币|(?<![a-z])rm(?![a-z])|dollar"
)
_APPROX = re.compile(
    r"左右|上下|不少于|不低于|不超过|不多于|不高于|至多|以内|起码|最少|最低|最高|大概|大约|约|差不多|估计|可能|也许|好像|应该吧|吧|[0-9万千百十]多|年多|个多月|几[十百千万]|以上|以下|至少|最多|不到|出头|"
    r"来块|来万|来个月|半载|个把|年把|approx|about|around|roughly|~|～|orso|\+|\?|吗|或|maybe|probably|(?<![a-z])or(?![a-z])"
)
# A hedge on the complaint, not on the number: "金额好像不太对，是三万" gives 三万 as plainly as without it.
_HEDGED_COMPLAINT = re.compile(
    r"(?:好像|可能|似乎|貌似|感觉|估计)(?:是|有点|有些)?(?=不对|不太对|错|有误|有问题|写错|填错|搞错)"
)
_RANGE = re.compile(rf"[0-9{_CN}][万w千k]?(?:-|—|–|到|至|或者?|/)[0-9{_CN}]")
# w (万) and k (千) multiply only right after a digit: "ok" and "week" are not numbers.
_MULTIPLIER_LETTER = re.compile(r"(?<=[0-9])(?:w|k|thousand)(?![a-z])")
_MULTIPLIERS = {"w": "万", "k": "千", "thousand": "千"}

# Each expression starts where a run of digits or numerals starts, so a long run is scanned once, not once
# per character (replies can be 1,600 characters of anything).
_AMOUNT = re.compile(
    rf"(?>(?<![0-9.])[0-9]+(?:\.[0-9]+)?(?:[千百十]万|万(?:零?[0-9]{{1,4}}[千百]?(?![0-9期个月年])|[{_CN}]+)?|千[0-9]?)?"
    rf"|(?<![{_CN}万])[{_CN}]*[十拾百佰千仟万][{_CN}万]*)"
)
_NOT_AMOUNT_AFTER = frozenset("期个月年天日号点岁%")
_TERM = re.compile(
    rf"(?P<num>(?<![0-9.])[0-9]++(?:\.[0-9]+)?|(?<![{_CN}])[{_CN}]++|半)?"
    r"(?P<unit>个半月|个月|期|年半|年|months?|mnths?|mths?|mons?|mos?|years?|yrs?)"
)
# What marks the old value among two: "不是3万", "3万 not 5万", and "你们写成5万了" (the value we wrote wrongly).
_NEGATED = re.compile(
    r"不是|并非|而非|(?<![a-z])not(?![a-z])|insteadof|ratherthan|"
    r"(?:你们?|给我|被|却|竟然|怎么)(?:写|打|弄|搞|填|记|录入?)错?成|(?:写|打|弄|填|记)错成|错(?:写|打)成|"
    r"youwrote|youput|youtyped|youentered|youhave|youlisted|"
    r"writtenas|typedas|enteredas|listedas|itsays|itshows"
)
_TARGET = re.compile(r"改成|改为|改|换成|变成|->|→|应该是|应为|应该为|而是|其实是|实际是|should be|change to|to|是|为")
# Value prompts are answered as written, traditional characters included, so markers come in both scripts.
_IS = r"(?:应该|應該|应|應)?(?:是|係|系|改成|改为|改為|写成|寫成)|(?:应该|應該|应|應)(?:写|寫)|应该?为|應該?為"
_NAME_PREFIX = re.compile(
    rf"^(?:本人)?(?:(?:我的?)?(?:名字|姓名)?(?:的)?(?:拼音|英文名?)?(?:{_IS}|为|為|叫做?)|我的?(?:名字|姓名)|姓名|名字|拼音|英文名"
    r"|my name is|name is|name:|name|it's|it is)[:：,，]?",
    re.IGNORECASE,
)
_TEXT_PREFIX = re.compile(
    rf"^(?:(?:贷款|貸款)?(?:用途|其他|其它)(?:信息|資料|资料)?(?:{_IS}|为|為)?|{_IS}|"
    r"purpose is|purpose:|it's|it is)[:：,，]?\s*",
    re.IGNORECASE,
)
# How a purpose is introduced ("贷款用于种果树", "拿来开网店", "主要是养鸡", "to restock my store"): the purpose
# is what follows.
_PURPOSE_LEAD = re.compile(
    r"^(?:(?:贷款|貸款|借款|借钱|钱)?(?:主要)?(?:是)?(?:用来|拿来|用于|用於|用在|用作)|主要是|"
    r"(?:it'?s |it is |the money is |the loan is )?(?:for|to)(?: my| the| a)? )",
    re.IGNORECASE,
)
_POLITE_TAIL = re.compile(
    r"[\s,，。.!！~]*(?:谢谢|謝謝|多谢|感谢|麻烦了?|麻煩了?|辛苦了?|thanks|thank you|thx)"
    r"(?:你们|您|你|啦|了)?[\s。.!！~]*$",
    re.IGNORECASE,
)
_TRAILING = re.compile(r"[\s。.!！~～,，、;；]+$")
_NOT_A_NAME = re.compile(r"[0-9?？@#/*]|好的|收到|谢谢|不知道|可以|确认|没错|ok|thanks|不对|错")


_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SMALL = {w: i for i, w in enumerate(_ONES)} | {w: 10 * (i + 2) for i, w in enumerate(_TENS)}
_SCALES = {"thousand": 1000, "k": 1000, "million": 1_000_000, "m": 1_000_000}
_WORD = "|".join(sorted(_SMALL, key=len, reverse=True))
_NUMBER_WORDS = re.compile(
    rf"(?<![a-z])(?:{_WORD}|hundred|thousand|million)(?:[ -](?:and )?(?:{_WORD}|hundred|thousand|million))*(?![a-z])"
)
_SCALED_DIGITS = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?) ?(thousand|million|m)(?![a-z])")
# A hotline is a number to call, not an amount: the lender's 95xxx line, or any number right after "call".
_HOTLINE = re.compile(
    r"95x{3}|(?:打|拨打?|致电|电话|热线|客服|call|hotline)[^0-9]{0,3}[0-9]{5,}|(?<![0-9])95[0-9]{3}(?![0-9])(?<!00)"
)


def _words_value(words: list[str]) -> int:
    total = current = 0
    for word in words:
        if word in _SMALL:
            current += _SMALL[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
    return total + current


# Halves of years, as people say a term: "a year and a half" (18), "two and a half years" (30), "half a year" (6).
_YEARS_AND_A_HALF = re.compile(r"(?<![a-z0-9])(?:(an?|one|two|three|four|five|[0-9]+) )?years? and a half(?![a-z])")
_AND_A_HALF_YEARS = re.compile(r"(?<![a-z0-9])(an?|one|two|three|four|five|[0-9]+) and a half years?(?![a-z])")
_HALF_A_YEAR = re.compile(r"(?<![a-z])half (?:a )?year(?![a-z])")


def _half_years(match: re.Match[str]) -> str:
    whole = match.group(1) or "a"
    years = 1 if whole in ("a", "an") else int(whole) if whole.isdigit() else _SMALL[whole]
    return f"{years * 12 + 6} months"


def english_numbers(spaced: str) -> str:
    """English number words and scaled digits as digits: "fifty five thousand" → 55000, "1.5 million" → 1500000."""
    if "half" in spaced:
        spaced = _YEARS_AND_A_HALF.sub(_half_years, _AND_A_HALF_YEARS.sub(_half_years, spaced))
        spaced = _HALF_A_YEAR.sub("6 months", spaced)
    spaced = _SCALED_DIGITS.sub(lambda m: _scaled(m.group(1), m.group(2)), spaced)
    return _NUMBER_WORDS.sub(lambda m: str(_words_value(re.split(r"[ -]", m.group()))), spaced)


def _scaled(number: str, scale: str) -> str:
    value = float(number) * _SCALES[scale]
    return str(int(value)) if value == int(value) else number + " " + scale


def _compact_for_values(text: str) -> str:
    """The compact form values are parsed from; an English "not" is kept as 不是 so "X not Y" still reads."""
    return normalise(_ENGLISH_NOT.sub("不是", english_numbers(normalise_spaced(text))))


_ENGLISH_NOT = re.compile(r"(?<![a-z])not(?![a-z])")


def _section(text: str, shorthand: int) -> int | None:
    """Value of a numeral below 万; a lone trailing digit takes the next smaller unit (五千五 → 5500)."""
    total, current, last_unit, zero = 0, None, 0, False
    for ch in text:
        if ch in _UNITS:
            total += (1 if current is None else current) * _UNITS[ch]
            current, last_unit = None, _UNITS[ch]
        elif ch in "0123456789":
            current = (current or 0) * 10 + int(ch)
        elif ch in "零〇":
            current, last_unit, zero = None, 0, True
        elif ch in _DIGITS and current is None:
            current = _DIGITS[ch]
        else:
            return None  # 五六 (five or six) is an estimate, not a number
    if current is not None:
        if last_unit >= 10:
            current *= last_unit // 10
        elif total == 0 and not zero and current < 10:
            current *= shorthand
        total += current
    return total


def _numeral(expr: str) -> float | None:
    """Value of one numeral expression (Arabic or Chinese, with 万/千/十 units and decimals)."""
    head, wan, tail = expr.partition("万")
    if wan and not head:
        return None
    decimal = re.fullmatch(r"[0-9]+\.[0-9]+", head)
    base: float | None = float(head) if decimal else _section(head, 1)
    if base is None or not wan:
        return base
    rest = _section(tail, 1000)
    return None if rest is None else base * 10000 + rest


def _amounts_at(compact: str) -> list[tuple[int, int]]:
    """(value, position) of every amount expression in a normalised reply; small numbers included."""
    text = _THOUSANDS_SEP.sub("", _ID_OR_PHONE.sub(" ", compact))
    text = _MULTIPLIER_LETTER.sub(lambda m: _MULTIPLIERS[m.group()], text)
    found = []
    for match in _AMOUNT.finditer(text):
        if match.group()[-1] not in "万千" and text[match.end() : match.end() + 1] in _NOT_AMOUNT_AFTER:
            continue  # 12期, 8月, 3点: a term, date or time (but "3万期限…" is 3万 before the next field)
        value = _numeral(match.group())
        if value is not None and value == int(value) and value > 0:
            found.append((int(value), match.start()))
    return found


def find_amounts(compact: str) -> list[int]:
    """Every amount expression in a normalised reply, in order, in integer yuan (small numbers included)."""
    return [value for value, _ in _amounts_at(compact)]


def _pick(found: list[tuple[int, int]], compact: str) -> int | None:
    """The one value, or the new one when a reply names an old and a new value (不是3万是5万, 3万改成5万)."""
    values = list(dict.fromkeys(value for value, _ in found))
    if len(values) == 1:
        return values[0]
    if len(values) != 2:
        return None
    first = next(pos for value, pos in found if value == values[0])
    second = next(pos for value, pos in found if value == values[1])
    negated = _NEGATED.search(compact)
    negation = negated.start() if negated else -1
    if 0 <= negation < first:
        return values[1]
    if first < negation < second:
        return values[0]
    return values[1] if _TARGET.search(compact, first, second) else None


def parse_amount(text: str) -> int | None:
    """Integer yuan from a reply (5万, 伍万元整, ¥50,000, 1.5w, 五万五), or None when unusable."""
    compact = _HOTLINE.sub(" ", _HEDGED_COMPLAINT.sub("", _compact_for_values(text)))
    if _FOREIGN.search(compact) or _APPROX.search(compact) or _RANGE.search(compact):
        return None
    value = _pick(_amounts_at(compact), compact)
    if value is None or not MIN_AMOUNT <= value <= MAX_AMOUNT:
        return None
    return value


def _months(num: str | None, unit: str) -> float | None:
    if num is None or num == "半":
        base: float | None = 0.5 if num == "半" else (1 if unit.startswith("个半") else None)
    elif re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", num):
        base = float(num)
    else:
        base = _section(num, 1)
    if base is None:
        return None
    if unit.startswith(("年", "y")):
        return base * 12 + (6 if unit == "年半" else 0)
    return base + (0.5 if unit == "个半月" else 0)


def parse_term(text: str) -> int | None:
    """Loan term in whole months (12期, 一年半 → 18, 2年 → 24, "12 months"), or None when unusable."""
    compact = _HEDGED_COMPLAINT.sub("", _compact_for_values(text))
    if _APPROX.search(compact) or _RANGE.search(compact):
        return None
    found: list[tuple[int, int]] = []
    after_years: int | None = None  # where the last "N年" ended: "1年6个月", "一年零六个月" are one term
    for match in _TERM.finditer(compact):
        months = _months(match.group("num"), match.group("unit"))
        if months is None or months != int(months):
            continue
        joined = after_years is not None and compact[after_years : match.start()] in ("", "零", "又")
        if joined and "月" in match.group("unit"):
            found[-1] = (found[-1][0] + int(months), found[-1][1])
        else:
            found.append((int(months), match.start()))
        after_years = match.end() if match.group("unit") == "年" else None
    if not found and re.fullmatch(r"[0-9]{1,3}", compact) and int(compact) >= MIN_BARE_MONTHS:
        found = [(int(compact), 0)]  # a bare number at the term prompt means months
    months = _pick(found, compact) if found else None
    if months is None or not 1 <= months <= MAX_TERM:
        return None
    return months


_SURNAME_ONLY = re.compile(r"(?:我)?(?:姓|免贵姓)[\u3400-\u9fff]")


def parse_name(text: str) -> str | None:
    """The name as written, without spaces (张三, "Zhang San" → "ZhangSan"), or None if it is not a name."""
    text = _POLITE_TAIL.sub("", text.strip()).lstrip(",，。.!！;；:：、 ")  # "不是李四，是张三" arrives as "，是张三"
    clauses = re.split(r"[,，。.!！;；]", text)
    first = clauses[0] or text
    if _SURNAME_ONLY.fullmatch(first.strip()) and len(clauses) > 1 and clauses[1].strip():
        first = clauses[1]  # "我姓陈，叫陈美玲": the surname first, then the name
    name = _TRAILING.sub("", re.sub(r"\s+", "", _NAME_PREFIX.sub("", first.strip())))
    name = _NAME_PREFIX.sub("", name)
    if not 1 <= len(name) <= 20 or _NOT_A_NAME.search(normalise(name)):
        return None
    return name if re.search(r"[A-Za-z\u3400-\u9fff]", name) else None


def parse_text(text: str, *, purpose: bool = False) -> str | None:
    """Purpose or other detail as short text: trimmed, single-spaced, capped; None when empty."""
    spaced = _TEXT_PREFIX.sub("", re.sub(r"\s+", " ", text).strip())
    # An "other" detail keeps its own label ("还款日应该是每月10号"): without it staff could not tell which
    # detail the value is for. A purpose loses only its lead-in.
    if purpose:
        spaced = _PURPOSE_LEAD.sub("", spaced)
    spaced = _TRAILING.sub("", _POLITE_TAIL.sub("", spaced))
    if not spaced or not re.search(r"[A-Za-z\u3400-\u9fff]", spaced):
        return None
    return spaced[:MAX_TEXT]
