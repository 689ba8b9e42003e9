"""When a reply confirms the details (policy items 4 to 6 and the clarifications): never on a guess.

A confirm form (the digit 1, 确认 and its one-typo homophones, 没错, yes...) is necessary but not enough. The
confirmation is a closed grammar, read by `leftover`: take out the confirm tokens, politeness and greetings,
identity ("是我本人") and the applicant's own name, filler punctuation and emoji, and any clause that is a
purely procedural question. A reply is confirm only when nothing is left. Before that test, what is left is
sorted the policy's way: a worry, a request for action or a condition goes to staff (human); a hedge, a
negation, several digits or a question about the confirmation itself is ambiguous; a story or any other
addition is human. A procedural question alongside is answered with the help text.
"""

from __future__ import annotations

import re

from states import lexicon as lx
from states.intents import Intent
from states.normalise import normalise, normalise_spaced
from states.reply import Reply

Verdict = tuple[Intent, bool]  # (intent, with_help)


def has_confirm_form(reply: Reply, *, at_confirmation: bool) -> bool:
    """The digit 1 or an explicit statement that the details are right.

    Away from the confirmation prompt (at the field menu, at a value prompt) the digit means something
    else and a bare "yes" / 是 answers no question asked, so only an explicit statement counts there.
    """
    if at_confirmation and ("1" in reply.choices or lx.CONFIRM_WHOLE.match(reply.core)):
        return True
    if at_confirmation and any(lx.CONFIRM_WHOLE.match(c) for c in lx.clauses(reply.spaced)):
        return True  # "對 幾時有結果": a bare 对 as a clause of its own
    if not at_confirmation and (lx.BARE_YES.match(reply.core) or lx.BARE_YES.match(reply.compact)):
        return False
    compact, spaced = lx.IDENTITY.sub("", reply.compact), lx.IDENTITY.sub("", reply.spaced)
    return bool(lx.CONFIRM_ZH.search(compact) or lx.CONFIRM_EN.search(spaced))


def _outside_procedural_questions(reply: Reply) -> tuple[str, str]:
    """The reply without clauses that ask about the process ("确认，大概多久到账？" is no hedge)."""
    spaced = " ".join(c for c in lx.clauses(reply.spaced) if not _is_procedural(c))
    return spaced.replace(" ", ""), spaced


def _is_negated(compact: str, spaced: str) -> bool:
    """不/没/not... left once fixed positive phrases (没错, 没问题, no problem) are taken out."""
    cleaned = lx.NEGATION_SAFE.sub(" ", lx.NO_CHANGE.sub(" ", spaced))
    return bool(lx.NEGATION.search(cleaned.replace(" ", "")) or lx.NEGATION_EN.search(cleaned))


def _only_checking(compact: str, spaced: str) -> bool:
    """ "确认一下", "pls confirm" with no other statement that the details are right: the applicant may be about
    to check, or is asking us to confirm."""
    if lx.CHECK_FIRST.search(compact):
        return not lx.CONFIRM_ZH.search(lx.CHECK_FIRST.sub("|", compact).replace("确认", "|"))
    if lx.CHECK_FIRST_EN.search(spaced):
        return not lx.CONFIRM_EN.search(re.sub(r"confirm\w*", "|", lx.CHECK_FIRST_EN.sub("|", spaced)))
    return False


def _is_procedural(clause: str) -> bool:
    return bool(lx.HELP.search(clause) or lx.HELP.search(clause.replace(" ", "")) or lx.PROCEDURAL.search(clause))


def leftover(reply: Reply) -> str:
    """What the reply says besides a confirmation: the closed grammar's residue (empty means confirm).

    Clauses that are purely procedural questions go first, then the applicant's name, then every confirm
    token and every word the grammar lets stand beside one. Only letters, digits and ideographs are kept.
    """
    # Clauses as lexicon.clauses cuts them (punctuation, and spaces beside ideographs): a message written
    # with spaces for commas is several clauses, and only the procedural one among them goes.
    text = " ".join(c for c in lx.clauses(reply.spaced) if not _is_procedural(c))
    for name in _name_forms(reply.applicant_name):
        text = text.replace(name, " ")
    text = lx.FIELD_SAID_RIGHT.sub(" ", text)
    for pattern in (lx.NO_CHANGE, lx.CONFIRM_EN, lx.ADDS_NOTHING_EN):  # English words keep their spaces: "that's right"
        text = pattern.sub(" ", text)
    text = text.replace(" ", "")
    for pattern in (
        lx.CONFIRM_ZH,
        lx.CONFIRM_EN,
        lx.IDENTITY,
        lx.ADDS_NOTHING,
        lx.CONFIRM_WHOLE_TOKEN,
        lx.FILLER,
    ):
        text = pattern.sub("", text)
    return _MEANINGFUL.sub("", text)


_MEANINGFUL = re.compile(r"[^a-z0-9\u3400-\u9fff]+")


def _name_forms(name: str | None) -> list[str]:
    """The name as the applicant may sign: in full, and surname with 先生/女士 or the masked 张*."""
    if not name:
        return []
    folded, spaced = normalise(name), normalise_spaced(name)
    forms = [spaced, folded, " ".join(folded)] if folded else []
    if folded and re.match(r"[\u3400-\u9fff]", folded):
        forms += [folded[0] + title for title in ("先生", "女士", "*")]
    return sorted(forms, key=len, reverse=True)


def read_confirm(reply: Reply, *, at_confirmation: bool) -> Verdict | None:
    """The verdict on a reply that carries a confirm form, or None when it carries none."""
    if not has_confirm_form(reply, at_confirmation=at_confirmation):
        return None
    if lx.HELP_ONLY.search(reply.compact) or lx.HELP_ONLY.search(reply.spaced):
        return Intent.HELP, False  # "回复1是什么意思" mentions the digit, it does not send it
    if reply.search(lx.WORRY) or reply.search(lx.REQUEST) or reply.search(lx.CONDITION) or reply.search(lx.WHO_ARE_YOU):
        return Intent.HUMAN, False  # confirm plus doubt, a request for action or a condition: staff
    procedural = reply.search(lx.HELP) or reply.search(lx.PROCEDURAL)
    if (lx.CONTRAST.search(reply.compact) or lx.CONTRAST.search(reply.spaced)) and not procedural:
        return Intent.HUMAN, False  # confirm plus an unspoken reservation: staff
    compact, spaced = _outside_procedural_questions(reply)
    if reply.several_digits or lx.HEDGE.search(compact) or lx.HEDGE.search(spaced):
        return Intent.AMBIGUOUS, False
    rest = leftover(reply)
    if len(rest) >= _STORY:
        return Intent.HUMAN, False  # a confirmation inside a longer story: staff read it
    if (
        lx.NOT_CONFIRMED.search(reply.compact)
        or reply.search(lx.REST_IS_RIGHT)
        or _is_negated(compact, spaced)
        or _only_checking(reply.compact, reply.spaced)
    ):
        return Intent.AMBIGUOUS, False
    if lx.QUESTION_ON_CONFIRM.search(compact) or lx.QUESTION_ON_CONFIRM.search(spaced):
        return Intent.AMBIGUOUS, False
    if not procedural and reply.search(lx.QUESTION):
        # "1?" questions the answer itself; "1 能不能用来买车" asks staff something of its own
        return (Intent.HUMAN if len(rest) >= _QUESTION_OF_ITS_OWN else Intent.AMBIGUOUS), False
    if rest:
        return (Intent.AMBIGUOUS if lx.QUESTION.search(rest) else Intent.HUMAN), False
    return Intent.CONFIRM, procedural


_QUESTION_OF_ITS_OWN = 4  # meaningful characters a question needs beside a confirmation to be one for staff
_STORY = 8  # meaningful characters beyond the grammar: more than a stray word, a message of its own
