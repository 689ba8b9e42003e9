"""Masking for logs, metrics and outbound SMS (DOMAIN.md: personal data)."""

from __future__ import annotations

import re

_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z'\-]*")


def mask_phone(phone: str) -> str:
    """138****1234: keep the first 3 and last 4 digits of the national number, never the whole number."""
    digits = phone.lstrip("+")
    if len(digits) <= 7:
        return "*" * len(digits)
    national = digits[-11:] if len(digits) > 11 else digits
    return f"{national[:3]}{'*' * (len(national) - 7)}{national[-4:]}"


def mask_name(name: str) -> str:
    """Surname plus `*`: 张三 → 张*, 欧阳娜娜 → 欧阳*, Zhang San → Zhang*."""
    name = name.strip()
    if not name:
        return "*"
    latin = _LATIN_NAME.match(name)
    if latin:
        return f"{latin.group(0)}*"
    surname_length = 2 if len(name) >= 4 or name[:2] in _COMPOUND_SURNAMES else 1
    return f"{name[:surname_length]}*"


_COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
    ]
)
