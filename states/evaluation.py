"""Score the reply reader against a labelled set (the `eval-replies` command).

A row is `{"text", "context", "intent", "field"?, "value"?}`. At the value prompt `field` names the field
asked for and is passed to the reader as `asked_field`. The two figures that must stay at zero are reported
on their own: replies read as confirm that were not (false confirmations) and opt-outs that were missed.

Phone and ID-number corrections are never taken over SMS (DOMAIN.md, "Personal data"): the reader hands them
to staff (intent human). A row labelled `correct` with field `phone` or `id_number` therefore counts as read
right when the reply goes to a person. There is no value prompt for those fields, so such rows are skipped and
counted (`skipped`), not refused.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from states.intents import Field, Intent, Reading
from states.normalise import normalise
from states.reader import read_reply

VALUE_CONTEXT = "awaiting_correction_value"


CONTEXTS = frozenset({"awaiting_confirmation", "awaiting_correction_field", VALUE_CONTEXT})
STAFF_FIELDS = frozenset({"phone", "id_number"})  # corrected by staff only: no Field, no value prompt
LABEL_FIELDS = frozenset({f.value for f in Field} | STAFF_FIELDS)
TO_A_PERSON = frozenset({Intent.HUMAN, Intent.WRONG_PERSON, Intent.ABUSE_OR_FRAUD_REPORT})
# A lender's analyst labels with the API's field names; the reader's short name is the same field.
API_FIELD_NAMES = {"term_months": Field.TERM.value}


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file of labelled replies; blank lines are skipped. A malformed row raises
    ValueError naming its line, so a bad file never yields a half-meaningful score."""
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                rows.append(_checked(line, number))
    return rows


def _checked(line: str, number: int) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {number}: not JSON ({exc.msg})") from exc
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        raise ValueError(f'line {number}: expected an object with a string "text"')
    if row.get("context") not in CONTEXTS:
        raise ValueError(f'line {number}: "context" must be one of {", ".join(sorted(CONTEXTS))}')
    if row.get("intent") not in {i.value for i in Intent}:
        raise ValueError(f'line {number}: "intent" must be one of {", ".join(i.value for i in Intent)}')
    if row.get("field") in API_FIELD_NAMES:
        row["field"] = API_FIELD_NAMES[row["field"]]
    if row.get("field") is not None and row["field"] not in LABEL_FIELDS:
        raise ValueError(f'line {number}: "field" must be one of {", ".join(sorted(LABEL_FIELDS))}')
    return row


def is_skipped(row: dict[str, Any]) -> bool:
    """A value prompt for a field the bot never asks for over SMS (phone, ID number): nothing to read."""
    return row.get("context") == VALUE_CONTEXT and row.get("field") in STAFF_FIELDS


def read_row(row: dict[str, Any]) -> Reading:
    """Run one labelled row through the reader, passing the asked field at the value prompt."""
    asked = Field(row["field"]) if row.get("context") == VALUE_CONTEXT and row.get("field") else None
    return read_reply(row["text"], row["context"], asked)


def _to_staff(row: dict[str, Any]) -> bool:
    return row["intent"] == Intent.CORRECT and row.get("field") in STAFF_FIELDS


def _intent_ok(row: dict[str, Any], reading: Reading) -> bool:
    """The labelled intent, or for a phone or ID correction any reading that puts a person on it."""
    if _to_staff(row):
        return reading.intent in TO_A_PERSON
    return bool(reading.intent == row["intent"])


def _carries_field_or_value(row: dict[str, Any]) -> bool:
    # At the value prompt `field` is the question asked, an expectation only when the reply is a correction.
    if row.get("context") == VALUE_CONTEXT and row["intent"] != Intent.CORRECT:
        return False
    return row.get("field") is not None or row.get("value") is not None


def values_match(expected: Any, actual: Any) -> bool:
    """Integers exactly; text compared after normalisation (case, width, spaces and script folded)."""
    if expected is None or actual is None:
        return expected is actual
    if isinstance(expected, int) or (isinstance(expected, str) and expected.isdigit() and isinstance(actual, int)):
        return int(expected) == actual
    return normalise(str(expected)).strip("。.!！") == normalise(str(actual)).strip("。.!！")


def _field_value_ok(row: dict[str, Any], reading: Reading) -> bool:
    if _to_staff(row):
        return reading.intent in TO_A_PERSON  # staff take the value from the applicant, not the bot
    field_ok = row.get("field") is None or (reading.field is not None and reading.field.value == row["field"])
    return field_ok and values_match(row.get("value"), reading.value)


def evaluate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Read every row and compare with its labels.

    Returns counts and rates (`rows`, `accuracy`, `false_confirm`, `missed_opt_out`, `field_value_accuracy`,
    `per_intent`, `confusion`, timing) and the offending rows (`false_confirm_rows`, `missed_opt_out_rows`,
    `misses`). Pure apart from reading the clock for the timing figures.
    """
    misses, false_confirms, missed_opt_outs, field_misses, timings = [], [], [], [], []
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    field_rows = field_hits = hits = skipped = 0
    for row in rows:
        if is_skipped(row):
            skipped += 1
            continue
        started = time.perf_counter()
        reading = read_row(row)
        timings.append((time.perf_counter() - started) * 1e6)
        expected, actual = row["intent"], reading.intent.value
        confusion[expected][actual] += 1
        detail = {
            **row,
            "got": actual,
            "got_field": reading.field and reading.field.value,
            "got_value": reading.value,
        }
        if _carries_field_or_value(row):
            field_rows += 1
            if _field_value_ok(row, reading):
                field_hits += 1
            else:
                field_misses.append(detail)
        if _intent_ok(row, reading):
            hits += 1
        else:
            misses.append(detail)
        if actual == Intent.CONFIRM and expected != Intent.CONFIRM:
            false_confirms.append(detail)
        if expected == Intent.OPT_OUT and actual != Intent.OPT_OUT:
            missed_opt_outs.append(detail)
    read = len(rows) - skipped
    return {
        "rows": read,
        "skipped": skipped,
        "accuracy": hits / read if read else 1.0,
        "false_confirm": len(false_confirms),
        "false_confirm_rows": false_confirms,
        "missed_opt_out": len(missed_opt_outs),
        "missed_opt_out_rows": missed_opt_outs,
        "field_value_rows": field_rows,
        "field_value_accuracy": field_hits / field_rows if field_rows else 1.0,
        "field_value_misses": field_misses,
        "per_intent": {
            intent: {"rows": sum(c.values()), "accuracy": c[intent] / sum(c.values())}
            for intent, c in sorted(confusion.items())
        },
        "confusion": {intent: dict(c) for intent, c in sorted(confusion.items())},
        "misses": misses,
        "median_us": statistics.median(timings) if timings else 0.0,
        "p99_us": sorted(timings)[int(len(timings) * 0.99)] if timings else 0.0,
    }


def format_report(result: dict[str, Any]) -> str:
    """A plain-text report: headline figures, per-intent accuracy, confusion table, then every miss."""
    lines = [
        f"rows                  {result['rows']} ({result['skipped']} skipped: value prompts for staff-only fields)",
        f"intent accuracy       {result['accuracy']:.3f}",
        f"false confirmations   {result['false_confirm']}",
        f"missed opt-outs       {result['missed_opt_out']}",
        f"field/value accuracy  {result['field_value_accuracy']:.3f} over {result['field_value_rows']} rows",
        f"median read time      {result['median_us']:.1f} µs (p99 {result['p99_us']:.1f} µs)",
        "",
        "per intent:",
    ]
    for intent, figures in result["per_intent"].items():
        lines.append(f"  {intent:24} {figures['accuracy']:.3f}  ({figures['rows']} rows)")
    lines += ["", "confusion (expected -> read as: count):"]
    for expected, row in result["confusion"].items():
        cells = ", ".join(f"{actual} {count}" for actual, count in sorted(row.items(), key=lambda kv: -kv[1]))
        lines.append(f"  {expected:24} {cells}")
    lines += [
        "",
        f"misses ({len(result['misses'])} intent, {len(result['field_value_misses'])} field/value):",
    ]
    seen = {id(miss) for miss in result["misses"]}
    extra = [miss for miss in result["field_value_misses"] if id(miss) not in seen]
    for miss in result["misses"] + extra:
        lines.append(
            f"  [{miss['context']}] {miss['text']!r}: expected {miss['intent']}, read {miss['got']}"
            f" (field {miss['got_field']}, value {miss['got_value']!r};"
            f" labelled {miss.get('field')}, {miss.get('value')!r})"
        )
    return "\n".join(lines)
