"""Copies of our own texts inside a reply (DOMAIN.md, "Opt-out and consent"; issue: quoted notices).

Applicants paste our notice back, often with a "1" or a question added. The notice says 回T退订 / "STOP to opt
out" and "reply 1", so read as written the quote would opt them out or confirm for them. What we sent that
phone is known, so any sizeable run of it found in the reply is cut out before the reply is read; the
applicant's own words around it are what count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from states.normalise import fold_cased

MIN_QUOTE = 12  # characters (whitespace and punctuation ignored): shorter runs are words anyone might type, not a quote
MIN_LATIN_QUOTE = 20  # Latin runs carry less per character: "reply 1 if" is 9 letters of anyone's prose
_LATIN_ONLY = re.compile(r"[\x00-\x7f]+")


def _compact(text: str) -> tuple[str, list[int]]:
    """The folded text lower-cased, letters, digits and ideographs only (a quote may lose its punctuation or
    gain spaces), and the position in the folded text of each character kept."""
    positions = [i for i, char in enumerate(text) if char.isalnum()]
    return "".join(text[i] for i in positions).lower(), positions


def _quoted_spans(reply: str, sent: str) -> list[tuple[int, int]]:
    """(start, end) in `reply`'s compact form of every long enough run copied from `sent`."""
    matcher = SequenceMatcher(None, reply, sent, autojunk=False)
    spans = []
    for block in matcher.get_matching_blocks():
        run = reply[block.a : block.a + block.size]
        needed = MIN_LATIN_QUOTE if _LATIN_ONLY.fullmatch(run) else MIN_QUOTE
        if block.size >= min(needed, len(sent)) and block.size > 2:
            spans.append((block.a, block.a + block.size))
    return spans


def without_quotes(text: str, sent_texts: Iterable[str]) -> str:
    """`text` (NFKC-folded) with every sizeable copy of one of `sent_texts` replaced by a space.

    Width, case and whitespace differences are tolerated; a partial quote counts when its run is long enough.
    Returns `text` unchanged when nothing was quoted.
    """
    folded = fold_cased(text)
    compact, positions = _compact(folded)
    blanked: set[int] = set()
    for sent in sent_texts:
        sent_compact, _ = _compact(fold_cased(sent))
        if len(sent_compact) < 3:
            continue
        for start, end in _quoted_spans(compact, sent_compact):
            blanked.update(range(positions[start], positions[end - 1] + 1))  # punctuation inside goes too
    if not blanked:
        return text
    return "".join(" " if i in blanked else char for i, char in enumerate(folded))


# The instructions every notice and reminder carries. Two of them in one reply, or one inside quote marks, are
# a copy of our text even when we cannot say which text (a notice sent from another system, a screenshot
# retyped): they are cut out, and the applicant's own words are read. One bare 回T退订 is the applicant's.
_INSTRUCTION = re.compile(
    r"(?:无误|确认)(?:请)?回(?:复)?1|(?:需)?更正(?:请)?回(?:复)?2|回(?:复)?t退订|"
    r"reply 1 (?:if (?:correct|right)|to confirm|confirm)|2 to correct|(?:reply )?stop to opt out"
)
# Every instruction has 回 or the letters "eply"/"opt"/"to correct" in some width or case; checked on the raw text.
_MAY_HOLD_INSTRUCTION = re.compile(
    r"回|[eｅＥ][pｐＰ][lｌＬ][yｙＹ]|[oｏＯ][pｐＰ][tｔＴ]|[cｃＣ][oｏＯ][rｒＲ]{2}", re.IGNORECASE
)
_ALL_BUT = re.compile(r"[\W_]+")
_QUOTED = re.compile(r"[「『“\"]([^」』”\"]{1,40})[」』”\"]")


def without_our_instructions(text: str) -> str:
    """`text` (folded) with copies of our reply instructions blanked, or `text` itself when it holds none."""
    if not _MAY_HOLD_INSTRUCTION.search(text):
        return text  # the common case, decided without folding a long message
    folded = fold_cased(text)
    lowered = folded.lower()
    found = list(_INSTRUCTION.finditer(lowered))
    alone = len(found) == 1 and not _ALL_BUT.sub("", lowered[: found[0].start()] + lowered[found[0].end() :])
    if alone and "t退订" not in found[0].group():
        return " "  # "无误回1" alone repeats our instruction back: no answer (回T退订 alone is the applicant's)
    if len(found) >= 2:
        spans = [(m.start(), m.end()) for m in found]
    else:
        spans = [(q.start(), q.end()) for q in _QUOTED.finditer(lowered) if _INSTRUCTION.search(q.group(1))]
    if not spans:
        return text
    for start, end in spans:
        folded = folded[:start] + " " * (end - start) + folded[end:]
    return folded
