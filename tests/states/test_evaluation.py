"""The eval-replies figures: what counts as a miss, a false confirmation and a field/value hit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from states.evaluation import evaluate, format_report, load_rows, values_match

ROWS: list[dict[str, Any]] = [
    {"text": "1", "context": "awaiting_confirmation", "intent": "confirm"},
    {"text": "好的", "context": "awaiting_confirmation", "intent": "confirm"},
    {"text": "退订", "context": "awaiting_confirmation", "intent": "opt_out"},
    {"text": "1", "context": "awaiting_confirmation", "intent": "ambiguous"},
    {"text": "TD", "context": "awaiting_confirmation", "intent": "ambiguous"},
    {"text": "好的", "context": "awaiting_confirmation", "intent": "opt_out"},
    {
        "text": "5万",
        "context": "awaiting_correction_value",
        "intent": "correct",
        "field": "amount",
        "value": 50000,
    },
    {"text": "5万左右", "context": "awaiting_correction_value", "intent": "ambiguous", "field": "amount"},
    {
        "text": "金额应该是3万",
        "context": "awaiting_confirmation",
        "intent": "correct",
        "field": "amount",
        "value": 40000,
    },
]


def test_headline_figures_count_hits_false_confirmations_and_missed_opt_outs() -> None:
    result = evaluate(ROWS)
    assert result["rows"] == 9
    assert result["accuracy"] == 5 / 9
    assert result["false_confirm"] == 1
    assert [row["text"] for row in result["false_confirm_rows"]] == ["1"]
    assert result["missed_opt_out"] == 1
    assert [row["text"] for row in result["missed_opt_out_rows"]] == ["好的"]


def test_field_value_accuracy_covers_corrections_and_ignores_the_asked_field_of_other_replies() -> None:
    result = evaluate(ROWS)
    assert result["field_value_rows"] == 2
    assert result["field_value_accuracy"] == 0.5
    assert [row["text"] for row in result["field_value_misses"]] == ["金额应该是3万"]


def test_per_intent_accuracy_and_confusion_are_keyed_by_the_labelled_intent() -> None:
    result = evaluate(ROWS)
    assert result["per_intent"]["opt_out"] == {"rows": 2, "accuracy": 0.5}
    assert result["confusion"]["ambiguous"] == {"confirm": 1, "opt_out": 1, "ambiguous": 1}
    assert len(result["misses"]) == 4


def test_text_values_match_across_case_spacing_and_script() -> None:
    assert values_match("ZhangSan", "Zhang San")
    assert values_match("陳大文", "陈大文")
    assert values_match("50000", 50000)
    assert not values_match(None, "张三")


def test_report_shows_figures_and_each_miss(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in ROWS) + "\n\n", encoding="utf-8")
    report = format_report(evaluate(load_rows(path)))
    assert "false confirmations   1" in report
    assert "'好的': expected opt_out, read ambiguous" in report


STAFF_ROWS: list[dict[str, Any]] = [
    {"text": "手机号写错了", "context": "awaiting_confirmation", "intent": "correct", "field": "phone"},
    {"text": "身份证号不对", "context": "awaiting_correction_field", "intent": "correct", "field": "id_number"},
    {"text": "2", "context": "awaiting_confirmation", "intent": "correct", "field": "phone"},
    {"text": "13812345678", "context": "awaiting_correction_value", "intent": "correct", "field": "phone"},
    {"text": "好的", "context": "awaiting_correction_value", "intent": "ambiguous", "field": "id_number"},
]


def test_phone_and_id_corrections_count_as_right_when_a_person_gets_them() -> None:
    result = evaluate(STAFF_ROWS)
    assert result["rows"] == 3
    assert result["accuracy"] == 2 / 3  # a bare "2" is a correction the bot takes: the field menu, not staff
    assert result["field_value_rows"] == 3
    assert [row["text"] for row in result["misses"]] == ["2"]


def test_value_prompts_for_staff_only_fields_are_skipped_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in STAFF_ROWS), encoding="utf-8")
    result = evaluate(load_rows(path))
    assert result["skipped"] == 2
    assert "2 skipped" in format_report(result)
