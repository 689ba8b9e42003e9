"""The templates file: every SMS text as data (TOML), read and validated once per file, never per message.

A table per template (`[notice]`) or variant (`["notice.a"]`, with `weight`), holding one entry per locale
(`zh`, `en`): `text`, and optionally `aliyun_code` and `aliyun_params` for the mainland gateway (the approved
template's code, and which placeholders it takes as parameters; the gateway adds the signature itself)."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from string import Formatter

DEFAULT_FILE = Path(__file__).with_name("templates.toml")
LANGS = ("zh", "en")
_FACTS = frozenset({"sig", "hotline", "name", "amount", "when"})
# The placeholders each template may use: the one definition (texts.render supplies exactly these).
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "correction_received": frozenset({"sig", "hotline", "field", "value"}),
}
DEFAULT_PLACEHOLDERS = _FACTS
# Staff replies on a gateway that sends templates only: `staff_*` templates, whose blanks staff fill in (a time,
# a detail), each short enough for a gateway template variable.
STAFF_PREFIX = "staff_"
STAFF_BLANKS = frozenset({"call_time", "detail"})
STAFF_BLANK_CHARS = 30


class TemplatesError(ValueError):
    """A templates file that cannot be read or parsed; the message names the entry."""


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # template name, e.g. notice
    variant: str | None  # e.g. a; None for the base entry
    lang: str
    text: str
    aliyun_code: str | None = None
    aliyun_params: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The template and variant, as a message records it (`notice.a`)."""
        return f"{self.key}.{self.variant}" if self.variant else self.key

    @property
    def name(self) -> str:
        return f"{self.template} ({self.lang})"


@dataclass(frozen=True, slots=True)
class Catalogue:
    entries: dict[tuple[str, str | None, str], Entry]
    weights: dict[str, dict[str, int]] = field(default_factory=dict)  # template -> variant -> weight

    def template_names(self) -> list[str]:
        return list(dict.fromkeys(key for key, variant, _ in self.entries if variant is None))

    def staff_template_names(self) -> list[str]:
        return [name for name in self.template_names() if is_staff_template(name)]

    def entry(self, key: str, lang: str, variant: str | None = None) -> Entry:
        """The variant's entry when the template has that variant, otherwise the base entry."""
        return self.entries.get((key, variant, lang)) or self.entries[(key, None, lang)]

    def text(self, key: str, lang: str, variant: str | None = None) -> str:
        """The variant's text when the template has that variant, otherwise the base text."""
        return self.entry(key, lang, variant).text

    def assign_variant(self, external_id: str, key: str = "notice") -> str | None:
        """The variant of `key` for a filing: a hash of the lender's id into the weight buckets (stable)."""
        weights = self.weights.get(key)
        if not weights:
            return None
        point = int.from_bytes(hashlib.sha256(external_id.encode()).digest()[:8], "big") % sum(weights.values())
        for variant, weight in sorted(weights.items()):
            if point < weight:
                return variant
            point -= weight
        raise AssertionError("unreachable: point is below the total weight")


def placeholders_for(key: str) -> frozenset[str]:
    if is_staff_template(key):
        return DEFAULT_PLACEHOLDERS | STAFF_BLANKS
    return PLACEHOLDERS.get(key, DEFAULT_PLACEHOLDERS)


def is_staff_template(key: str) -> bool:
    """A template only staff send, as their reply; smsbot never sends it by itself."""
    return key.startswith(STAFF_PREFIX)


def staff_blanks(text: str) -> tuple[str, ...]:
    """The blanks of a staff template's text that staff fill in, in the order the text has them."""
    names = (name for _, name, _, _ in Formatter().parse(text) if name in STAFF_BLANKS)
    return tuple(dict.fromkeys(names))


def used_placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


@lru_cache(maxsize=8)
def load_catalogue(path: str = "") -> Catalogue:
    """Parse the templates file at `path` (default: the one shipped with the package), once per path."""
    source = Path(path) if path else DEFAULT_FILE
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplatesError(f"templates file {source.name}: {exc}") from None
    return parse_catalogue(data)


def parse_catalogue(data: dict[str, object]) -> Catalogue:
    entries: dict[tuple[str, str | None, str], Entry] = {}
    weights: dict[str, dict[str, int]] = {}
    for full_key, table in data.items():
        key, _, variant = full_key.partition(".")
        if not isinstance(table, dict):
            raise TemplatesError(f"{full_key}: expected a table of locales")
        if variant:
            weights.setdefault(key, {})[variant] = _weight(full_key, table.get("weight", 1))
        for lang in LANGS:
            entries[(key, variant or None, lang)] = _entry(key, variant or None, lang, table.get(lang))
    return Catalogue(entries, weights)


def _weight(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TemplatesError(f"{name}: weight must be a whole number of at least 1")
    return value


def _entry(key: str, variant: str | None, lang: str, table: object) -> Entry:
    name = f"{key}{'.' + variant if variant else ''} ({lang})"
    if not isinstance(table, dict) or not isinstance(table.get("text"), str):
        raise TemplatesError(f"{name}: missing text")
    code, params = table.get("aliyun_code"), table.get("aliyun_params", [])
    if code is not None and not isinstance(code, str):
        raise TemplatesError(f"{name}: aliyun_code must be a string")
    if not isinstance(params, list) or not all(isinstance(p, str) for p in params):
        raise TemplatesError(f"{name}: aliyun_params must be a list of strings")
    return Entry(key, variant, lang, table["text"], code, tuple(params))
