"""The labelled replies written from the policy, by five authors (the second set was written blind, before the
reader was tuned on it; the `replies_outsider*` sets by authors who saw only DOMAIN.md and PRODUCT.md, the
second of them two thirds of a larger set whose last third is kept out of the repository as a held-out set, the
third written to the hardest kinds: stop demands and confirmation traps): the headline figures hold on each."""

from __future__ import annotations

from pathlib import Path

import pytest

from states.evaluation import evaluate, format_report, load_rows

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = [
    "replies.jsonl",
    "replies_holdout.jsonl",
    "replies_outsider_dev.jsonl",
    "replies_outsider2_dev.jsonl",
    "replies_outsider3_dev.jsonl",
    "replies_outsider4_dev.jsonl",
    "replies_outsider5_dev.jsonl",
    "replies_outsider6_dev.jsonl",
    "replies_outsider7_dev.jsonl",
    "replies_outsider8_dev.jsonl",
    "replies_outsider9_dev.jsonl",
]
OUTSIDERS = (
    "replies_outsider_dev.jsonl",
    "replies_outsider2_dev.jsonl",
    "replies_outsider3_dev.jsonl",
    "replies_outsider4_dev.jsonl",
    "replies_outsider5_dev.jsonl",
    "replies_outsider6_dev.jsonl",
    "replies_outsider7_dev.jsonl",
    "replies_outsider8_dev.jsonl",
    "replies_outsider9_dev.jsonl",
)
# The outsider's set is held to the targets; the two older sets, tuned on for longer, to stricter ones.
INTENT_FLOOR = dict.fromkeys(OUTSIDERS, 0.96)
FIELD_VALUE_FLOOR = dict.fromkeys(OUTSIDERS, 0.92)
# The newest outsider set is the development part of a larger one; the rest of it is held out, not stored here.
MIN_ROWS = {"replies_outsider7_dev.jsonl": 150}


@pytest.fixture(scope="module", params=SETS)
def labelled(request: pytest.FixtureRequest) -> Path:
    return DATA / request.param


@pytest.fixture(scope="module")
def result(labelled: Path) -> dict:
    return evaluate(load_rows(labelled))


def test_each_set_is_large_and_covers_every_intent_and_context(labelled: Path) -> None:
    rows = load_rows(labelled)
    assert len(rows) >= MIN_ROWS.get(labelled.name, 450)
    assert {row["intent"] for row in rows} >= {
        "confirm", "correct", "opt_out", "opt_in", "help", "human", "wrong_person", "abuse_or_fraud_report",
        "ambiguous",
    }  # fmt: skip
    assert {row["context"] for row in rows} == {
        "awaiting_confirmation", "awaiting_correction_field", "awaiting_correction_value",
    }  # fmt: skip


def test_nothing_is_read_as_a_confirmation_that_is_not_one(result: dict) -> None:
    assert result["false_confirm"] == 0, format_report(result)


def test_no_opt_out_is_missed(result: dict) -> None:
    assert result["missed_opt_out"] == 0, format_report(result)


def test_intent_accuracy_is_at_least_97_percent_or_the_sets_own_floor(labelled: Path, result: dict) -> None:
    assert result["accuracy"] >= INTENT_FLOOR.get(labelled.name, 0.97), format_report(result)


def test_field_and_value_accuracy_is_at_least_95_percent_or_the_sets_own_floor(labelled: Path, result: dict) -> None:
    assert result["field_value_accuracy"] >= FIELD_VALUE_FLOOR.get(labelled.name, 0.95), format_report(result)


def test_report_lists_headline_figures_and_every_miss(result: dict) -> None:
    report = format_report(result)
    assert "false confirmations" in report
    assert "missed opt-outs" in report
    assert f"misses ({len(result['misses'])} intent" in report
