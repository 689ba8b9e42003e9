"""What a reply means: the vocabulary shared by the reply reader and the conversation machine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    CONFIRM = "confirm"
    CORRECT = "correct"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"
    HUMAN = "human"
    WRONG_PERSON = "wrong_person"
    ABUSE_OR_FRAUD_REPORT = "abuse_or_fraud_report"
    AMBIGUOUS = "ambiguous"


class Field(StrEnum):
    """Fields an applicant may correct over SMS, numbered as in the field menu (1..5)."""

    NAME = "name"
    AMOUNT = "amount"
    TERM = "term"
    PURPOSE = "purpose"
    OTHER = "other"


FIELD_MENU: dict[str, Field] = {
    "1": Field.NAME,
    "2": Field.AMOUNT,
    "3": Field.TERM,
    "4": Field.PURPOSE,
    "5": Field.OTHER,
}


@dataclass(frozen=True, slots=True)
class Reading:
    """The reader's verdict on one reply.

    `field` is set when the reply names (or, at the field menu, numbers) a field; `value` when it also
    carries a usable value (int yuan for amount, int months for term, str otherwise). `with_help` asks the
    conversation to send the help text alongside (confirm plus a procedural question). `redacted_text` is the
    reply with anything that must never be stored (a full ID number) masked.
    """

    intent: Intent
    field: Field | None = None
    value: int | str | None = None
    with_help: bool = False
    redacted_text: str = ""
