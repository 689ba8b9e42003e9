"""Characters a stored text may hold. PostgreSQL text cannot hold NUL at all, and control characters in a
name or an SMS are either an attack or a transport accident: fields refuse them, message bodies drop them."""

from __future__ import annotations

import unicodedata

KEPT_CONTROLS = frozenset("\n\r\t")  # line breaks and tabs are part of what a person typed


def strip_controls(text: str) -> str:
    """`text` without control characters (NUL, BEL, DEL, C1 ...) other than line breaks and tabs, and without
    lone surrogates, which no database encoding can store."""
    if text.isprintable():  # the common case, in C
        return text
    return "".join(ch for ch in text if ch in KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs"))
