"""When a reply confirms the details (policy items 4 to 6): never on a guess.

A confirm form (the digit 1, 确认 and its one-typo homophones, 没错, yes...) is necessary but not enough:
hedges, questions about the confirmation itself, negations and several digits make the reply ambiguous;
a worry or an unspoken "but" sends it to staff. A purely procedural question alongside is answered with
the help text.
"""

from __future__ import annotations

import re

from states import lexicon as lx
from states.intents import Intent
from states.reply import Reply

_CLAUSE_BREAK = re.compile(r"[,.!?;，。！？；]+")

Verdict = tuple[Intent, bool]  # (intent, with_help)


def has_confirm_form(reply: Reply, *, at_confirmation: bool) -> bool:
    """The digit 1 or an explicit statement that the details are right.

    Away from the confirmation prompt (at the field menu, at a value prompt) the digit means something
    else and a bare "yes" / 是 answers no question asked, so only an explicit statement counts there.
    """
    if at_confirmation and ("1" in reply.choices or lx.CONFIRM_WHOLE.match(reply.core)):
        return True
    if not at_confirmation and (lx.BARE_YES.match(reply.core) or lx.BARE_YES.match(reply.compact)):
        return False
    compact, spaced = lx.IDENTITY.sub("", reply.compact), lx.IDENTITY.sub("", reply.spaced)
    return bool(lx.CONFIRM_ZH.search(compact) or lx.CONFIRM_EN.search(spaced))


def _outside_procedural_questions(reply: Reply) -> tuple[str, str]:
    """The reply without clauses that ask about the process ("确认，大概多久到账？" is no hedge)."""
    clauses = [
        c for c in _CLAUSE_BREAK.split(reply.spaced) if not lx.HELP.search(c) and not lx.HELP.search(c.replace(" ", ""))
    ]
    spaced = " ".join(clauses)
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


def read_confirm(reply: Reply, *, at_confirmation: bool) -> Verdict | None:
    """The verdict on a reply that carries a confirm form, or None when it carries none."""
    if not has_confirm_form(reply, at_confirmation=at_confirmation):
        return None
    if lx.HELP_ONLY.search(reply.compact) or lx.HELP_ONLY.search(reply.spaced):
        return Intent.HELP, False  # "回复1是什么意思" mentions the digit, it does not send it
    if reply.search(lx.WORRY):
        return Intent.HUMAN, False  # confirm plus doubt that names no field: staff
    procedural = reply.search(lx.HELP)
    compact, spaced = _outside_procedural_questions(reply)
    if reply.several_digits or lx.HEDGE.search(compact) or lx.HEDGE.search(spaced):
        return Intent.AMBIGUOUS, False
    if lx.CONTRAST.search(reply.compact) and not procedural:
        return Intent.HUMAN, False  # confirm plus an unspoken reservation: staff
    if (
        lx.NOT_CONFIRMED.search(reply.compact)
        or _is_negated(compact, spaced)
        or _only_checking(reply.compact, reply.spaced)
    ):
        return Intent.AMBIGUOUS, False
    if lx.QUESTION_ON_CONFIRM.search(compact) or lx.QUESTION_ON_CONFIRM.search(spaced):
        return Intent.AMBIGUOUS, False
    if not procedural and reply.search(lx.QUESTION):
        return Intent.AMBIGUOUS, False
    return Intent.CONFIRM, procedural
