"""The SMS copy in both languages (the templates file, conversation.catalogue), rendered with masked data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from smsbot.conversation.catalogue import load_catalogue
from smsbot.privacy import mask_name

FIELD_LABELS = {
    "zh": {"name": "姓名", "amount": "申请金额", "term": "期限", "purpose": "用途", "other": "其他信息"},
    "en": {"name": "name", "amount": "loan amount", "term": "term", "purpose": "purpose", "other": "details"},
}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """What a notice says: the application's details as of one notice version."""

    name: str
    amount_minor: int
    currency: str
    submitted_at: datetime
    timezone: str


def language(locale: str) -> str:
    return "zh" if locale.lower().startswith("zh") else "en"


@dataclass(frozen=True, slots=True)
class Rendered:
    """A text as queued: its body, and what a template gateway sends instead (the template with its variant,
    and the placeholders' values other than the signature, which the gateway adds)."""

    body: str
    template: str
    params: dict[str, str]

    @property
    def params_json(self) -> str:
        return json.dumps(self.params, ensure_ascii=False, sort_keys=True)


def language_of_body(body: str) -> str:
    """The language of a rendered text, read from its signature: only the Chinese texts start with 【."""
    return "zh" if body.startswith("【") else "en"


def signature_prefix(locale: str, name: str) -> str:
    """What every text starts with: the lender's name (DOMAIN.md), 【示例农商银行】 or `ExampleBank: `."""
    return f"【{name}】" if language(locale) == "zh" else f"{name}: "


def render_text(
    template: str,
    *,
    locale: str,
    signature: str,
    hotline: str,
    facts: NoticeFacts | None = None,
    field: str | None = None,
    value: int | str | None = None,
    variant: str | None = None,
    templates_file: str = "",
    blanks: Mapping[str, str] | None = None,
) -> Rendered:
    """Render one template (its `variant` when it has one) from the templates file (default: the shipped one),
    keeping which entry it used and the values it filled in (`.body` is the text). Names are masked, amounts
    rounded, the phone number never appears. `blanks`: what staff filled into a staff template."""
    lang = language(locale)
    if template == "reprompt_value":
        template = f"value_prompt_{field or 'other'}"
    entry = load_catalogue(templates_file).entry(template, lang, variant)
    params = template_params(locale, signature=signature, hotline=hotline, facts=facts, field=field, value=value)
    params |= dict(blanks or {})
    used = {name: str(params[name]) for name in sorted(params) if name != "sig"}
    return Rendered(entry.text.format(**params), entry.template, used)


def template_params(
    locale: str,
    *,
    signature: str,
    hotline: str,
    facts: NoticeFacts | None = None,
    field: str | None = None,
    value: int | str | None = None,
) -> dict[str, object]:
    """The values of the placeholders (catalogue.PLACEHOLDERS names them per template)."""
    lang = language(locale)
    params: dict[str, object] = {"sig": signature_prefix(locale, signature), "hotline": hotline}
    if facts is not None:
        params |= {
            "name": mask_name(facts.name),
            "amount": format_amount(facts.amount_minor, lang),
            "when": format_when(facts.submitted_at, facts.timezone, lang),
        }
    if field is not None:
        params |= {"field": FIELD_LABELS[lang][field], "value": format_value(field, value, lang)}
    return params


def format_amount(amount_minor: int, lang: str) -> str:
    """The rounded amount of a notice: 5万元 / 5.5万元 / 3000元, or 50,000 in English."""
    yuan = amount_minor // 100
    if lang == "en":
        return f"{yuan:,}"
    if yuan >= 10_000:
        wan = round(yuan / 10_000, 1)
        return f"{wan:g}万元"
    return f"{yuan}元"


def format_when(moment: datetime, tz: str, lang: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    if lang == "zh":
        return f"{local.month}月{local.day}日{local:%H:%M}"
    return f"{local:%b} {local.day} {local:%H:%M}"


def format_value(field: str, value: int | str | None, lang: str) -> str:
    if field == "amount" and isinstance(value, int):
        return f"{value}元" if lang == "zh" else f"{value:,}"
    if field == "term" and isinstance(value, int):
        return f"{value}个月" if lang == "zh" else f"{value} months"
    return str(value)[:40]


def gateway_templates(templates_file: str) -> Callable[[str, str], tuple[str, str | None, tuple[str, ...]] | None]:
    """For a template gateway: a lookup of a message's template (with variant) and rendered body to its language,
    gateway code and parameter names, read from the templates file once."""
    entries = load_catalogue(templates_file).entries

    def lookup(template: str, body: str) -> tuple[str, str | None, tuple[str, ...]] | None:
        key, _, variant = template.partition(".")
        lang = language_of_body(body)
        entry = entries.get((key, variant or None, lang)) or entries.get((key, None, lang))
        return None if entry is None else (lang, entry.aliyun_code, entry.aliyun_params)

    return lookup
