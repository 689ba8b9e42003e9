"""Normalisation folds width, emoji, whitespace and script, and never turns look-alikes into digits."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from states.normalise import _PAREN_DIGIT, DOUBT, _nfkc, fold_cased, normalise, normalise_spaced


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("１", "1"),
        ("Ｔ", "t"),
        ("ＴＤ", "td"),
        ("①", "1"),
        ("❶", "1"),
        ("1️⃣", "1"),
        ("2️⃣", "2"),
        ("　1　", "1"),
        ("\n1\t", "1"),
        ("1\u00a02", "12"),
        ("1\u200b", "1"),
        ("👍1👍", "1"),
        ("✅确认", "确认"),
        ("STOP", "stop"),
        ("ＳＴＯＰ", "stop"),
        ("確認", "确认"),
        ("對", "对"),
        ("係", "系"),
        ("冇問題", "没问题"),
        ("錯", "错"),
        ("號", "号"),
        ("額", "额"),
        ("金額 ５萬", "金额5万"),
        ("退訂", "退订"),
        ("Don’t text me", "don'ttextme"),
        ("", ""),
    ],
)
def test_normalise_folds_the_reply(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize("look_alike", ["l", "I", "!", "|", "ｌ", "Ｉ", "！"])
def test_look_alikes_are_never_mapped_to_the_digit_one(look_alike: str) -> None:
    assert "1" not in normalise(look_alike)


def test_spaced_form_keeps_single_spaces_between_english_words() -> None:
    assert normalise_spaced("  Stop\u3000 texting   ME ") == "stop texting me"


def test_cased_form_keeps_case_script_and_spaces_but_drops_emoji() -> None:
    assert fold_cased("Zhang San 陳 👍") == "Zhang San 陳 "


def test_cased_form_lines_up_character_for_character_with_the_folded_form() -> None:
    raw = "名字應該是 Chan Tai Man１"
    assert fold_cased(raw) == "名字應該是 Chan Tai Man1"
    assert len(fold_cased(raw)) == len(normalise_spaced(raw))


@given(st.text(alphabet=st.characters(codec=None), max_size=300) | st.text("的一是\u0301\u3099ＡＢ１①ｶﾞ", max_size=40))
def test_normalising_between_ideographs_is_exactly_nfkc(text: str) -> None:
    """The fast path skips runs of CJK ideographs; it must never differ from NFKC of the whole text (once the
    look-alikes of 1 that NFKC would make digits are doubts)."""
    assert _nfkc(text) == unicodedata.normalize("NFKC", _PAREN_DIGIT.sub(DOUBT, text))
