"""Staff replies on a gateway that sends approved templates only (the aliyun backend): staff pick a staff
template (`staff_*` in the templates file), fill its blanks, see the exact text, and send it. Free text cannot
go through such a gateway, so `send_reply` refuses it there and this is the reply action instead.

The message carries its template key and parameter values (`staff_template_message`), so the gateway send
needs no re-rendering; the audit trail keeps them too."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.config import Settings
from smsbot.conversation.catalogue import STAFF_BLANK_CHARS, load_catalogue, staff_blanks, used_placeholders
from smsbot.conversation.lint import lint
from smsbot.conversation.moves import notice_facts
from smsbot.conversation.texts import language, template_params
from smsbot.conversation.timers import cancel_timers
from smsbot.db import transaction
from smsbot.delivery import consent
from smsbot.delivery.outbox import queue_message
from smsbot.delivery.segments import MAX_BODY_CHARS
from smsbot.models import Application, Message
from smsbot.staff.audit import record_action
from smsbot.staff.permissions import Actor, Refusal, locked_application, require_holder
from smsbot.staff.values import plain_text

TEMPLATE_ONLY_BACKENDS = frozenset({"aliyun"})


def templates_only(settings: Settings) -> bool:
    """Whether staff replies must be made from templates (the backend cannot send free text)."""
    return settings.backend in TEMPLATE_ONLY_BACKENDS


@dataclass(frozen=True, slots=True)
class StaffTemplate:
    """A staff template as the inbox offers it, in the applicant's language."""

    key: str
    blanks: tuple[str, ...]
    outline: str  # the text with this application's facts and the blanks shown as [name]
    gateway_code: str | None


@dataclass(frozen=True, slots=True)
class TemplateReply:
    """A staff template filled in for one application: what will be sent, and what the gateway is given."""

    key: str
    values: dict[str, str]  # what staff filled in
    body: str  # the whole text, signature first
    params: dict[str, str]  # every placeholder's value but the signature, which the gateway adds itself


def staff_templates(app: Application, settings: Settings) -> list[StaffTemplate]:
    catalogue = load_catalogue(settings.templates_file)
    lang = language(app.locale)
    offered = []
    for key in catalogue.staff_template_names():
        entry = catalogue.entry(key, lang)
        blanks = staff_blanks(entry.text)
        shown = {name: f"[{name}]" for name in blanks}
        outline = entry.text.format(**_facts(app, settings), **shown)
        offered.append(StaffTemplate(key, blanks, outline, entry.aliyun_code))
    return offered


def fill_template(app: Application, key: str, raw_values: Mapping[str, str], *, settings: Settings) -> TemplateReply:
    """The reply `key` makes for `app` with these blanks, or a Refusal that says what is wrong: an unknown
    template, a blank empty, too long or with a control character, a text the scam lint refuses."""
    catalogue = load_catalogue(settings.templates_file)
    if key not in catalogue.staff_template_names():
        raise Refusal("unknown_template")
    text = catalogue.entry(key, language(app.locale)).text
    values = {}
    for name in staff_blanks(text):
        value = plain_text(raw_values.get(name, "")).replace("\n", " ")
        if not value:
            raise Refusal("blank_missing", blank=name)
        if len(value) > STAFF_BLANK_CHARS:
            raise Refusal("blank_too_long", blank=name, limit=STAFF_BLANK_CHARS)
        values[name] = value
    facts = _facts(app, settings)
    body = text.format(**facts, **values)
    if len(body) > MAX_BODY_CHARS:
        raise Refusal("too_long", limit=MAX_BODY_CHARS)
    problems = lint(body, hotline=settings.hotline)
    if problems:
        raise Refusal("lint", problems="; ".join(problems))
    used = used_placeholders(text) - {"sig"}
    params = {name: str((facts | values)[name]) for name in sorted(used)}
    return TemplateReply(key, values, body, params)


def send_template_reply(
    factory: sessionmaker[Session],
    app_id: int,
    actor: Actor,
    key: str,
    raw_values: Mapping[str, str],
    *,
    settings: Settings,
) -> int:
    """Queue a staff reply made from a staff template through the outbox; returns the message id. Refused as
    `send_reply` is (holder, opted out, lint), and when the template or its blanks are wrong."""
    with transaction(factory) as session:
        app = locked_application(session, app_id)
        require_holder(session, app, actor)
        if consent.is_opted_out(session, app.phone):
            raise Refusal("opted_out")
        reply = fill_template(app, key, raw_values, settings=settings)
        message = staff_template_message(session, app, reply)
        cancel_timers(session, app.pk)  # a person is now talking to the applicant: no bot reminder on top
        session.flush()
        after = {"message_id": message.id, "template": reply.key, "params": reply.values}
        record_action(session, app_id, actor.id, "reply", None, after)
        return message.pk


def staff_template_message(session: Session, app: Application, reply: TemplateReply) -> Message:
    """The outbound message of a template reply, with the template's key and parameter values on it, so the
    gateway sends the approved template with them (`messages.template`, `messages.template_params`)."""
    return queue_message(
        session,
        application_id=app.id,
        phone=app.phone,
        kind="staff_reply",
        body=reply.body,
        template=reply.key,
        template_params=json.dumps(reply.params, ensure_ascii=False, sort_keys=True),
    )


def _facts(app: Application, settings: Settings) -> dict[str, object]:
    signature = settings.signature_for(app.locale)
    return template_params(app.locale, signature=signature, hotline=settings.hotline, facts=notice_facts(app, settings))
