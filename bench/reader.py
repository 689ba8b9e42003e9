"""The reply reader: microseconds per reply over the labelled set (tests/data/replies.jsonl when present, else
a built-in sample). Each reply is timed over a burst of calls, so the clock's own cost is negligible."""

from __future__ import annotations

import json
import time
from typing import Any

from bench.common import ROOT, Profile, median
from states.intents import Field
from states.reader import read_reply

LABELLED = ROOT / "tests" / "data" / "replies.jsonl"
SAMPLE = [
    ("1", "awaiting_confirmation", None),
    ("2", "awaiting_confirmation", None),
    ("TD", "awaiting_confirmation", None),
    ("转人工", "awaiting_confirmation", None),
    ("这是什么", "awaiting_confirmation", None),
    ("what is this?", "awaiting_confirmation", None),
    ("2", "awaiting_correction_field", None),
    ("60000", "awaiting_correction_value", "amount"),
    ("李四", "awaiting_correction_value", "name"),
    ("STOP", "confirmed", None),
]
CALLS = 50  # per reply and round
LONG_LIMIT_US = 2000.0  # per 1,600-character message (issue 10)
# Long messages of each kind the reader treats differently: Chinese, English, digits, mixed, and a stop
# demand at the very end (the opt-out scan must cover the whole text).
_LONG_SEEDS = [
    "1 我家种了二十亩地，今年收成不好，所以才来贷款，麻烦你们了。",
    "yes correct, my shop sells shoes and I need the money for stock, thank you. ",
    "12345 67 8 9 0 1 2 3 ",
    "金额应该是5万 not 3万 期限12个月 名字张三 ok? ",
    "👍😊 好的 ",
]
LONG = [(seed * 1600)[:1600] for seed in _LONG_SEEDS] + [("确认，谢谢。" * 400)[:1590] + " 以后别再发了"]


def replies() -> tuple[list[tuple[str, str, Field | None]], str]:
    if not LABELLED.exists():
        return [(text, state, Field(f) if f else None) for text, state, f in SAMPLE], "built-in sample"
    cases = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            state = case.get("context") or case.get("state")
            asked = case.get("asked_field") or (case.get("field") if state == "awaiting_correction_value" else None)
            cases.append((case["text"], state, Field(asked) if asked else None))
    return cases, LABELLED.relative_to(ROOT).as_posix()


def per_reply_us(cases: list[tuple[str, str, Field | None]]) -> list[float]:
    timings = []
    for text, state, asked in cases:
        started = time.perf_counter_ns()
        for _ in range(CALLS):
            read_reply(text, state, asked)
        timings.append((time.perf_counter_ns() - started) / CALLS / 1000)
    return timings


def long_message_us() -> list[float]:
    """Microseconds per 1,600-character message, best of a few bursts (in every state that reads differently)."""
    states = [("awaiting_confirmation", None), ("awaiting_correction_field", None)]
    states.append(("awaiting_correction_value", Field.AMOUNT))
    cases = [(text, state, asked) for text in LONG for state, asked in states]
    return [min(per_reply_us([case])[0] for _ in range(5)) for case in cases]


def run(profile: Profile) -> dict[str, Any]:
    cases, source = replies()
    per_reply_us(cases)  # warm caches
    rounds = [sorted(per_reply_us(cases)) for _ in range(max(3, profile.repeats))]
    p99 = [timings[min(len(timings) - 1, int(len(timings) * 0.99))] for timings in rounds]
    long = long_message_us()
    return {
        "reader": {
            "median_us": round(median([median(timings) for timings in rounds]), 2),
            "p99_us": round(median(p99), 2),
            "replies": len(cases),
            "source": source,
            "long_1600_max_us": round(max(long), 1),
            "long_1600_under_limit": max(long) < LONG_LIMIT_US,
        }
    }
