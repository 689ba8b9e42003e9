"""Canned replies for the reply box: the SMS templates in both languages, filled in for one application."""

from __future__ import annotations

from dataclasses import dataclass

from smsbot.config import Settings
from smsbot.conversation.moves import notice_facts
from smsbot.conversation.texts import TEMPLATES, render, signature_prefix
from smsbot.models import Application

# Templates that only make sense with a parsed field and value from the conversation itself.
_NEEDS_FIELD = frozenset({"correction_received"})


@dataclass(frozen=True, slots=True)
class Canned:
    lang: str
    template: str
    text: str  # without the signature: the reply box adds the applicant's own


def canned_replies(app: Application, settings: Settings) -> list[Canned]:
    """Every template in Chinese then English, rendered with this application's (masked) facts."""
    facts = notice_facts(app, settings)
    replies = []
    for lang, templates in TEMPLATES.items():
        locale = "zh-CN" if lang == "zh" else "en"
        signature = settings.signature_for(locale)
        prefix = signature_prefix(locale, signature)
        for name in templates:
            if name in _NEEDS_FIELD:
                continue
            text = render(name, locale=locale, signature=signature, hotline=settings.hotline, facts=facts)
            replies.append(Canned(lang, name, text.removeprefix(prefix)))
    return replies
