"""`smsbot templates check`: every template and variant of a templates file, linted as sent to a typical
applicant (the scam lint, known placeholders, length) and measured (encoding, segments, signature included).
For the mainland gateway (`gateway_sign`, its signature name) each entry also needs its approved template's
code and parameters covering its placeholders, and is measured as the gateway counts it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from smsbot.conversation.catalogue import (
    Catalogue,
    Entry,
    is_staff_template,
    load_catalogue,
    placeholders_for,
    used_placeholders,
)
from smsbot.conversation.lint import lint
from smsbot.conversation.texts import NoticeFacts, template_params
from smsbot.delivery.segments import MAX_BODY_CHARS, SegmentInfo, measure, measure_mainland

# A typical applicant per language: a two-syllable name, 5万元, filed on a weekday morning.
_FILED = datetime(2026, 8, 3, 2, 15, tzinfo=UTC)
TYPICAL = {
    "zh": NoticeFacts("张伟", 5_000_000, "CNY", _FILED, "Asia/Shanghai"),
    "en": NoticeFacts("Zhang Wei", 5_000_000, "CNY", _FILED, "Asia/Shanghai"),
}
_LOCALES = {"zh": "zh-CN", "en": "en"}
# What staff typically fill into a staff template's blanks, as long as a blank may be.
TYPICAL_BLANKS = {
    "zh": {"call_time": "12月5日（周六）上午10点前后", "detail": "申请金额与贷款用途两项内容"},
    "en": {"call_time": "Sat Dec 5, before 10am", "detail": "loan amount and purpose"},
}
# What no variant may drop, when its base template has it (only wording varies).
_KEPT = {"zh": ("回1", "回2", "回T退订"), "en": ("1", "2", "STOP")}


@dataclass(frozen=True, slots=True)
class Checked:
    entry: Entry
    body: str
    size: SegmentInfo | None
    problems: list[str]
    gateway_size: SegmentInfo | None = None  # as the mainland gateway counts it, when checked for one


def check_catalogue(
    catalogue: Catalogue, *, signatures: tuple[str, str], hotline: str, gateway_sign: str | None = None
) -> list[Checked]:
    """Every entry of `catalogue`, rendered and judged with the (zh, en) `signatures` (and for the mainland
    gateway signed `gateway_sign`, when given); one with problems is refused."""
    return [_check(entry, catalogue, signatures, hotline, gateway_sign) for entry in catalogue.entries.values()]


def missing_templates(catalogue: Catalogue) -> list[str]:
    """Templates of the shipped file that `catalogue` lacks: smsbot sends every one of them. Staff templates
    are the lender's choice: a file without them offers its staff fewer replies."""
    present = set(catalogue.template_names())
    return [
        f"{name}: missing (every shipped template must be present)"
        for name in load_catalogue().template_names()
        if name not in present and not is_staff_template(name)
    ]


@lru_cache(maxsize=8)
def refusals(path: str, signatures: tuple[str, str], hotline: str, gateway_sign: str | None = None) -> tuple[str, ...]:
    """Why the templates file at `path` cannot be used ("notice.a (zh): forbidden word 立案"); empty when fine.
    Cached: settings are built often, the file is read and checked once."""
    catalogue = load_catalogue(path)
    checked = check_catalogue(catalogue, signatures=signatures, hotline=hotline, gateway_sign=gateway_sign)
    found = [f"{c.entry.name}: {problem}" for c in checked for problem in c.problems]
    return (*missing_templates(catalogue), *found)


def _check(
    entry: Entry, catalogue: Catalogue, signatures: tuple[str, str], hotline: str, gateway_sign: str | None
) -> Checked:
    known = placeholders_for(entry.key)
    used = used_placeholders(entry.text)
    problems = [f"unknown placeholder {{{name}}}" for name in sorted(used - known)]
    problems += [f"aliyun_params names unknown placeholder {p}" for p in entry.aliyun_params if p not in known]
    if gateway_sign is not None:
        problems += gateway_problems(entry, used)
    if (entry.key, None, entry.lang) not in catalogue.entries:
        problems.append(f"variant of a template that does not exist: {entry.key}")
    elif entry.variant:
        problems += _dropped(entry, catalogue.text(entry.key, entry.lang))
    if problems:
        return Checked(entry, "", None, problems)
    locale = _LOCALES[entry.lang]
    signature = signatures[0] if entry.lang == "zh" else signatures[1]
    params = template_params(
        locale, signature=signature, hotline=hotline, facts=TYPICAL[entry.lang], field="amount", value=50000
    )
    if is_staff_template(entry.key):
        params |= TYPICAL_BLANKS[entry.lang]
    body = entry.text.format(**params)
    problems = lint(body, hotline=hotline)
    if not body.startswith(str(params["sig"])):
        problems.append("does not start with the signature {sig}")
    if len(body) > MAX_BODY_CHARS:
        problems.append(f"longer than {MAX_BODY_CHARS} characters")
    gateway_size = None
    if gateway_sign is not None:  # the gateway puts its own 【signature】 where {sig} stands
        gateway_size = measure_mainland(f"【{gateway_sign}】" + entry.text.format(**(params | {"sig": ""})))
    return Checked(entry, body, measure(body), problems, gateway_size)


def gateway_problems(entry: Entry, used: set[str]) -> list[str]:
    """What the mainland gateway needs of an entry: the approved template's code, and a parameter for every
    placeholder but the signature (which the gateway adds)."""
    if not entry.aliyun_code:
        return ["no aliyun_code (the aliyun backend sends only approved templates)"]
    lacking = sorted(used - {"sig"} - set(entry.aliyun_params))
    return [f"aliyun_params lack {{{name}}}" for name in lacking]


def _dropped(entry: Entry, base: str) -> list[str]:
    needed = [token for token in ("{sig}", "{hotline}", *_KEPT[entry.lang]) if token in base]
    return [f"drops {token} that {entry.key} has" for token in needed if token not in entry.text]
