"""The one canonical spelling of a phone number: ASCII E.164, as `phonenumbers` formats a valid number.

Every path that takes a phone from outside (the API, the import, staff forms, inbound webhooks) calls
`canonical_phone`, and consent, conversations and sends are keyed on what it returns, so a number that
arrives written with fullwidth or Arabic-Indic digits, separators or in national form is the same number.
What is not exactly one valid number (control characters, letters, extensions, channel prefixes such as
`whatsapp:`, unknown country codes) is refused, never guessed at."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "CN"  # whose national numbers 13800138000 are, unless SMSBOT_DEFAULT_REGION says otherwise
MAX_INPUT_CHARS = 32  # the longest E.164 number (16) with separators; anything longer is not a phone
MAX_E164_CHARS = 16  # "+" and 15 digits
_PLUS = frozenset("+＋")
_SEPARATORS = frozenset(" -.()")


class PhoneError(ValueError):
    """Not one valid phone number; the message says why, in words an integrator can act on."""


def canonical_phone(text: str, *, region: str = DEFAULT_REGION) -> str:
    """`text` as ASCII E.164 (`+8613800138000`). Digits of any script are read as digits (phonenumbers
    normalises them); a national number is read in `region`. Raises PhoneError for anything else."""
    _check_characters(text)
    return _format(text, region)


def is_region(code: str) -> bool:
    """Whether `code` is a region phonenumbers can read national numbers for (CN, HK, US ...)."""
    return code in phonenumbers.SUPPORTED_REGIONS


def _check_characters(text: str) -> None:
    if not text:
        raise PhoneError("must not be empty")
    if len(text) > MAX_INPUT_CHARS:
        raise PhoneError(f"is too long for a phone number (at most {MAX_INPUT_CHARS} characters)")
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise PhoneError("must not contain control characters such as newlines")
    if text != text.strip():
        raise PhoneError("must not start or end with spaces")
    body = text[1:] if text[0] in _PLUS else text
    if not all(ch in _SEPARATORS or unicodedata.category(ch) == "Nd" for ch in body):
        raise PhoneError("must be digits, with an optional leading + and spaces or hyphens between them")


@lru_cache(maxsize=4096)  # the webhook sees the same few numbers again and again
def _format(text: str, region: str) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("is not a valid phone number (E.164 such as +8613800138000, or national form)") from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneError("is not a valid phone number (E.164 such as +8613800138000, or national form)")
    canonical = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not (canonical.isascii() and len(canonical) <= MAX_E164_CHARS):  # never a second spelling
        raise PhoneError("is not a valid phone number")
    return canonical
