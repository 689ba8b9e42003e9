"""The bot's decisions, as a table: (state, reading, counters) → step."""

from __future__ import annotations

import pytest

from states.conversation_states import HandoffReason, State
from states.intents import Field, Intent, Reading
from states.policy import SILENT, decide

S, In = State, Intent


def step(state: State, intent: Intent, reprompts: int = 0, **reading: object):
    return decide(state, Reading(intent, **reading), reprompts=reprompts, max_reprompts=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "intent", "fields", "event", "reason", "replies"),
    [
        (S.AWAITING_CONFIRMATION, In.CONFIRM, {}, "do_confirm", None, ("confirmation_received",)),
        (
            S.AWAITING_CONFIRMATION,
            In.CONFIRM,
            {"with_help": True},
            "do_confirm",
            None,
            ("confirmation_received", "help"),
        ),
        (S.AWAITING_CONFIRMATION, In.CORRECT, {}, "do_ask_field", None, ("field_menu",)),
        (S.AWAITING_CONFIRMATION, In.CORRECT, {"field": Field.AMOUNT}, "do_ask_value", None, ("value_prompt_amount",)),
        (
            S.AWAITING_CONFIRMATION,
            In.CORRECT,
            {"field": Field.AMOUNT, "value": 50000},
            "do_record_correction",
            HandoffReason.CORRECTION,
            ("correction_received",),
        ),
        (S.AWAITING_CORRECTION_FIELD, In.CORRECT, {"field": Field.TERM}, "do_ask_value", None, ("value_prompt_term",)),
        (S.AWAITING_CORRECTION_FIELD, In.CONFIRM, {}, "do_reprompt", None, ("field_menu",)),
        (
            S.AWAITING_CORRECTION_VALUE,
            In.CORRECT,
            {"field": Field.NAME, "value": "李四"},
            "do_record_correction",
            HandoffReason.CORRECTION,
            ("correction_received",),
        ),
        (S.AWAITING_CONFIRMATION, In.HUMAN, {}, "do_hand_off", HandoffReason.HUMAN_REQUESTED, ("handoff",)),
        (S.AWAITING_CONFIRMATION, In.WRONG_PERSON, {}, "do_hand_off", HandoffReason.WRONG_PERSON, ("wrong_person",)),
        (
            S.AWAITING_CONFIRMATION,
            In.ABUSE_OR_FRAUD_REPORT,
            {},
            "do_hand_off",
            HandoffReason.ABUSE_OR_FRAUD,
            ("handoff",),
        ),
        (S.AWAITING_CONFIRMATION, In.HELP, {}, "do_answer_help", None, ("help",)),
        (S.HANDED_OFF, In.OPT_OUT, {}, "do_opt_out", None, ("opt_out_confirmation",)),
        (S.CONFIRMED, In.CORRECT, {}, "do_hand_off", HandoffReason.HUMAN_REQUESTED, ("handoff",)),
        (S.OPTED_OUT, In.OPT_IN, {}, "do_opt_in", HandoffReason.OPTED_IN, ("opted_in",)),
    ],
)
def test_decisions(state, intent, fields, event, reason, replies) -> None:
    decided = step(state, intent, **fields)
    assert (decided.event, decided.handoff_reason, decided.replies) == (event, reason, replies)


@pytest.mark.parametrize("state", [S.HANDED_OFF, S.OPTED_OUT])
@pytest.mark.parametrize("intent", [In.CONFIRM, In.CORRECT, In.HELP, In.AMBIGUOUS, In.HUMAN])
def test_handed_off_and_opted_out_conversations_are_silent(state: State, intent: Intent) -> None:
    assert step(state, intent) == SILENT


@pytest.mark.parametrize("intent", [In.CONFIRM, In.AMBIGUOUS])
def test_a_late_confirmation_or_thanks_to_a_closed_conversation_changes_nothing(intent: Intent) -> None:
    assert step(S.CLOSED, intent) == SILENT


@pytest.mark.parametrize(
    ("intent", "reason", "reply"),
    [
        (In.CORRECT, HandoffReason.HUMAN_REQUESTED, "handoff"),
        (In.HELP, HandoffReason.HUMAN_REQUESTED, "handoff"),
        (In.HUMAN, HandoffReason.HUMAN_REQUESTED, "handoff"),
        (In.WRONG_PERSON, HandoffReason.WRONG_PERSON, "wrong_person"),
        (In.ABUSE_OR_FRAUD_REPORT, HandoffReason.ABUSE_OR_FRAUD, "handoff"),
        (In.OPT_IN, HandoffReason.OPTED_IN, "opted_in"),
    ],
)
def test_a_request_to_a_closed_conversation_goes_back_to_staff(intent: Intent, reason, reply) -> None:
    decided = step(S.CLOSED, intent)
    assert (decided.event, decided.handoff_reason, decided.replies) == ("do_reopen_for_staff", reason, (reply,))


def test_a_second_opt_out_sends_no_second_confirmation() -> None:
    assert step(S.OPTED_OUT, In.OPT_OUT) == SILENT


def test_an_ambiguous_reply_is_reprompted_once_then_handed_off() -> None:
    first = step(S.AWAITING_CONFIRMATION, In.AMBIGUOUS, reprompts=0)
    second = step(S.AWAITING_CONFIRMATION, In.AMBIGUOUS, reprompts=1)
    assert (first.event, first.counts_as_reprompt) == ("do_reprompt", True)
    assert (second.event, second.handoff_reason) == ("do_hand_off", HandoffReason.AMBIGUOUS)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("intent", [i for i in Intent if i is not Intent.CONFIRM])
def test_nothing_but_a_confirm_reading_ever_confirms(state: State, intent: Intent) -> None:
    assert step(state, intent).event != "do_confirm"
