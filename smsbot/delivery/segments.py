"""How an SMS body is encoded and how many segments it costs (GSM-7: 160/153; UCS-2: 70/67)."""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENDED = frozenset(GSM7_EXTENDED)
MAX_BODY_CHARS = 1600  # Twilio refuses longer bodies


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int  # as counted by the encoding (extended GSM characters count twice)
    segments: int


def measure(body: str) -> SegmentInfo:
    """Encoding and segment count of `body` as a handset network bills it."""
    if all(ch in _BASIC or ch in _EXTENDED for ch in body):
        units = sum(2 if ch in _EXTENDED else 1 for ch in body)
        return SegmentInfo("GSM-7", units, _segments(units, 160, 153))
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in body)  # UTF-16 code units
    return SegmentInfo("UCS-2", units, _segments(units, 70, 67))


def measure_mainland(body: str) -> SegmentInfo:
    """Length as mainland gateways bill it: every character counts one, the 【signature】 included; 70 for one
    message, 67 per part after."""
    return SegmentInfo("mainland", len(body), _segments(len(body), 70, 67))


def _segments(units: int, single: int, multi: int) -> int:
    if units <= single:
        return 1 if units else 0
    return -(-units // multi)
