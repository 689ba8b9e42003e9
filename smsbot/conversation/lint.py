"""The scam lint: what would make a text look like the 普惠金融 已立案 fraud (DOMAIN.md). Every text that staff
send goes through `lint`, and every template passes it (tests/conversation/test_lint.py).

The text is normalised before any check, so that a disguise does not hide a feature: NFKC (fullwidth letters and
digits become ASCII), format characters (Unicode category Cf: zero-width spaces, joiners, BOM, soft hyphen)
removed, every decimal digit written in ASCII, lower case. Words are then looked for with spaces and punctuation
removed too (立 案, 立-案)."""

from __future__ import annotations

import re
import unicodedata

# Simplified and traditional spellings; the problem names the simplified one.
_FORBIDDEN_WORDS = {
    "立案": ("立案",),
    "逾期": ("逾期",),
    "起诉": ("起诉", "起訴"),
    "法院": ("法院",),
    "征信": ("征信", "徵信"),
    "冻结": ("冻结", "凍結"),
    "保证金": ("保证金", "保證金"),
    "手续费": ("手续费", "手續費"),
    "刑事": ("刑事",),
}
_DOT = re.compile(r"(?<=[a-z0-9])[。](?=[a-z0-9])")  # 。 between letters is a dot in disguise
_LINK = re.compile(r"https?://|www\.|(?<![a-z0-9-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?![a-z0-9-])")
_SHORT_LINK = re.compile(r"(?<![a-z0-9])(?:bit\.ly|t\.cn|url\.cn|dwz\.cn|goo\.gl|is\.gd|ow\.ly|t\.co|suo\.im)(?![a-z])")
_SHORT_LINK_NAMES = ("tinyurl", "bitly", "短链", "短网址")
_APP = re.compile(
    r"微信|薇信|威信|徽信|v信|微x|加v|加微|扣扣|企鹅号|下载"
    r"|(?<![a-z])(?:vx|wx|weixin|wechat|qq|whatsapp|telegram|app)(?![a-z])"
)
_SEP = r"[\s\-.–—·()]*"
_PHONES = (
    re.compile(rf"(?<![0-9+])(?:\+?86{_SEP})?1{_SEP}[3-9](?:{_SEP}[0-9]){{9}}(?![0-9])"),  # mainland mobile
    re.compile(rf"(?<![0-9+])0[1-9][0-9]{{1,2}}{_SEP}[0-9]{{7,8}}(?![0-9])"),  # landline with area code
    re.compile(rf"(?<![0-9+])[48]00{_SEP}[0-9]{{3}}{_SEP}[0-9]{{4}}(?![0-9])"),  # 400 / 800 numbers
    re.compile(rf"\+{_SEP}[1-9](?:{_SEP}[0-9]){{6,14}}(?![0-9])"),  # any international number
)


def lint(body: str, *, hotline: str = "") -> list[str]:
    """Problems that would make `body` (a whole text, signature first) look like the scam; empty when clean.
    The lender's own `hotline` is the one phone number a text may carry, however it is spelled."""
    text = normalise(body)
    problems = [f"forbidden word {word}" for word in _forbidden_words(text)]
    if _has_link(text):
        problems.append("contains a link")
    if _APP.search(text) or _APP.search(_compact(text)):
        problems.append("mentions a messaging app or download")
    if _other_phone(text, hotline):
        problems.append("a phone number other than the hotline")
    if "¥" in text:
        problems.append("contains ¥")
    if _brackets_inside(text):
        problems.append("【】 inside the body")
    return problems


def normalise(text: str) -> str:
    """NFKC, without format characters, ASCII digits, lower case (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    kept = (ch for ch in text if unicodedata.category(ch) != "Cf")
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in kept).lower()


def _compact(text: str) -> str:
    """Letters and digits only (spaces, punctuation and symbols removed), for looking up words."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _forbidden_words(text: str) -> list[str]:
    compact = _compact(text)
    return [word for word, spellings in _FORBIDDEN_WORDS.items() if any(s in compact for s in spellings)]


def _has_link(text: str) -> bool:
    dotted = _DOT.sub(".", text)
    spaced_out = re.sub(r"\s+", "", dotted)  # `bit. ly` is still bit.ly
    return bool(
        _LINK.search(dotted)
        or _SHORT_LINK.search(spaced_out)
        or any(name in _compact(text) for name in _SHORT_LINK_NAMES)
    )


def _other_phone(text: str, hotline: str) -> bool:
    allowed = _digits(normalise(hotline))
    return any(_digits(m.group(0)) != allowed for pattern in _PHONES for m in pattern.finditer(text))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _brackets_inside(text: str) -> bool:
    """Only the signature at the very front may use 【】."""
    rest = text.split("】", 1)[1] if text.startswith("【") else text
    return "【" in rest or "】" in rest
