"""Canned replies for the reply box: the SMS templates in both languages, filled in for one application."""

from __future__ import annotations

from dataclasses import dataclass

from smsbot.config import Settings
from smsbot.conversation.catalogue import LANGS, is_staff_template, load_catalogue
from smsbot.conversation.moves import notice_facts
from smsbot.conversation.texts import render_text, signature_prefix
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
    names = load_catalogue(settings.templates_file).template_names()
    for lang in LANGS:
        locale = "zh-CN" if lang == "zh" else "en"
        signature = settings.signature_for(locale)
        prefix = signature_prefix(locale, signature)
        for name in names:
            if name in _NEEDS_FIELD or is_staff_template(name):  # staff templates have blanks to fill
                continue
            text = render_text(
                name,
                locale=locale,
                signature=signature,
                hotline=settings.hotline,
                facts=facts,
                variant=app.notice_variant,
                templates_file=settings.templates_file,
            ).body
            replies.append(Canned(lang, name, text.removeprefix(prefix)))
    return replies
