"""The public conversation states and handoff reasons (the API returns these strings)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    AWAITING_CORRECTION_FIELD = "awaiting_correction_field"
    AWAITING_CORRECTION_VALUE = "awaiting_correction_value"
    CONFIRMED = "confirmed"
    HANDED_OFF = "handed_off"
    OPTED_OUT = "opted_out"
    CLOSED = "closed"


class HandoffReason(StrEnum):
    AMBIGUOUS = "ambiguous"
    HUMAN_REQUESTED = "human_requested"
    CORRECTION = "correction"
    WRONG_PERSON = "wrong_person"
    ABUSE_OR_FRAUD = "abuse_or_fraud"
    NO_REPLY = "no_reply"
    DELIVERY_FAILED = "delivery_failed"
    OPTED_IN = "opted_in"


# States in which the bot is waiting for the applicant and reads replies.
BOT_STATES = frozenset({State.AWAITING_CONFIRMATION, State.AWAITING_CORRECTION_FIELD, State.AWAITING_CORRECTION_VALUE})
