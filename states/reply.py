"""One inbound reply in the forms the reading rules need, computed once per message."""

from __future__ import annotations

import re

from states import lexicon as lx
from states.normalise import fold_cased, normalise_both

_D = "[0-9０-９]"
# 18 digits (last may be X) or the old 15, also written in 6-8-4 groups with a space or hyphen between.
ID_NUMBER = re.compile(rf"(?<!{_D})(?:{_D}{{6}}[ -]?{_D}{{8}}[ -]?{_D}{{3}}[0-9０-９XxＸｘ]|{_D}{{15}})(?!{_D})")
# Full ID numbers and mainland mobile numbers: never values, and only staff may change them.
PRIVATE_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{6}-?[0-9]{8}-?[0-9]{3}[0-9x]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9])")
NUMBER_RUN = re.compile(r"(?<![0-9.])(?<![0-9]:)[0-9]+(?:\.[0-9]+)?")
THOUSANDS_SEP = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
NOT_A_CHOICE_AFTER = frozenset("万wk千百元块期个月年天日号点分岁%:x")  # x: the hotline written 95XXX
NOT_A_CHOICE_BEFORE = frozenset("万千")


def redact_id_numbers(text: str) -> str:
    """Mask every full ID number (18 digits with an optional final X, or 15 digits), keeping 3 + 2."""
    return ID_NUMBER.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 5) + m.group()[-2:], text)


# A unit after a space still makes the number a value: "2 years", "30 thousand".
UNIT_AFTER = re.compile(r" ?(?:years?|yrs?|months?|mths?|thousand|million|yuan|rmb|万|元|个月|期|年)")


def _is_choice(spaced: str, match: re.Match[str]) -> bool:
    after = spaced[match.end() : match.end() + 1]
    if len(match.group()) > 2 or after in NOT_A_CHOICE_AFTER:
        return False
    if spaced[max(0, match.start() - 1) : match.start()] in NOT_A_CHOICE_BEFORE:
        return False  # "4万5", "1千2": the digit after a magnitude is part of the amount
    return not UNIT_AFTER.match(spaced, match.end())


def choice_digits(spaced: str) -> list[str]:
    """Digit runs that read as menu choices: short, and not an amount, a term, a date or a time."""
    return [m.group() for m in NUMBER_RUN.finditer(spaced) if _is_choice(spaced, m)]


def without_choices(spaced: str) -> str:
    """The reply with menu digits blanked out, so "2，应该是7万" parses as 7万 alone."""
    spaced = THOUSANDS_SEP.sub("", spaced)
    return NUMBER_RUN.sub(lambda m: " " if _is_choice(spaced, m) else m.group(), spaced)


class Reply:
    """`compact` has no whitespace, `spaced` single spaces (both folded and lower-case); `cased` lines up
    with `spaced` but keeps case and script for values; `core` drops fillers and identity phrases;
    `applicant_name` is the name on file, when the caller knows it (a confirmation may be signed with it);
    `written` is the compact form of the whole reply when this one is a part of it (the value after a label)."""

    __slots__ = ("applicant_name", "cased", "choices", "compact", "core", "spaced", "written")

    def __init__(self, text: str, applicant_name: str | None = None, *, written: str | None = None) -> None:
        self.applicant_name = applicant_name
        self.compact, self.spaced = normalise_both(text)
        self.written = self.compact if written is None else written
        cased = re.sub(r"\s+", " ", fold_cased(text)).strip()
        self.cased = cased if len(cased) == len(self.spaced) else self.spaced
        self.choices = choice_digits(THOUSANDS_SEP.sub("", PRIVATE_NUMBER.sub(" ", self.spaced)))
        self.core = lx.FILLER.sub("", lx.IDENTITY.sub("", self.compact))

    def part(self, text: str) -> Reply:
        """A part of this reply (the value after a label, the value without its hedge), read on its own but
        remembering what the whole reply was written in."""
        return Reply(text, self.applicant_name, written=self.written)

    @property
    def several_digits(self) -> bool:
        """12, 1 2, 11: more than one menu digit is never a choice (policy item 5)."""
        return len(self.choices) > 1 or any(len(choice) > 1 for choice in self.choices)

    def search(self, zh: re.Pattern[str], en: re.Pattern[str] | None = None) -> bool:
        """Chinese patterns on the compact form, English ones (or a mixed one given once) on the spaced."""
        return bool(zh.search(self.compact) or (en or zh).search(self.spaced))
