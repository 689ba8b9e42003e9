"""What the bot does with a reading: a pure function from (state, reading, counters) to a Step.

The Step names the machine event to fire, the handoff reason, the texts to send and any correction to record.
The conversation service carries it out inside the inbound message's transaction."""

from __future__ import annotations

from dataclasses import dataclass

from states.conversation_states import BOT_STATES, HandoffReason, State
from states.intents import Field, Intent, Reading

S = State


@dataclass(frozen=True, slots=True)
class Step:
    """One decision. `event` None means: record the message, change nothing, send nothing."""

    event: str | None
    replies: tuple[str, ...] = ()
    handoff_reason: HandoffReason | None = None
    asked_field: Field | None = None
    correction: tuple[Field, int | str] | None = None
    counts_as_reprompt: bool = False


SILENT = Step(event=None)

_HANDOFFS = {
    Intent.HUMAN: (HandoffReason.HUMAN_REQUESTED, "handoff"),
    Intent.WRONG_PERSON: (HandoffReason.WRONG_PERSON, "wrong_person"),
    Intent.ABUSE_OR_FRAUD_REPORT: (HandoffReason.ABUSE_OR_FRAUD, "handoff"),
}


def decide(state: str, reading: Reading, *, reprompts: int, max_reprompts: int) -> Step:
    """Choose the bot's move for `reading` arriving in `state`.

    Opt-out wins everywhere; an opted-out phone only listens for opt-in; a handed-off conversation is silent,
    a closed one hands a request back to staff. In the bot's states an ambiguous reply is re-prompted
    `max_reprompts` times in a row, then handed off. Never returns a confirm step unless the reader said
    confirm while the notice awaits confirmation.
    """
    intent = reading.intent
    if intent is Intent.OPT_OUT:
        return SILENT if state == S.OPTED_OUT else Step("do_opt_out", replies=("opt_out_confirmation",))
    if state == S.OPTED_OUT:
        if intent is Intent.OPT_IN:
            return Step("do_opt_in", replies=("opted_in",), handoff_reason=HandoffReason.OPTED_IN)
        return SILENT
    if state == S.HANDED_OFF:
        return SILENT
    if state == S.CLOSED:
        return _after_closing(reading)
    if intent in _HANDOFFS:
        reason, reply = _HANDOFFS[intent]
        return Step("do_hand_off", replies=(reply,), handoff_reason=reason)
    if state == S.CONFIRMED:
        return _after_confirmation(reading)
    return _in_bot_state(state, reading, reprompts=reprompts, max_reprompts=max_reprompts)


def _after_closing(reading: Reading) -> Step:
    """A closed conversation (settled by staff, or ended by the lender's decline or withdrawal) sends nothing on
    its own, but a reply that asks for something reaches a person: it is handed off once more, with the reason
    the same reply would have in a live conversation. A late 1 or a thank-you stays on the thread, silently,
    as it does after a confirmation."""
    intent = reading.intent
    if intent in (Intent.CONFIRM, Intent.AMBIGUOUS):
        return SILENT
    if intent is Intent.OPT_IN:
        return Step("do_reopen_for_staff", replies=("opted_in",), handoff_reason=HandoffReason.OPTED_IN)
    reason, reply = _HANDOFFS.get(intent, (HandoffReason.HUMAN_REQUESTED, "handoff"))
    return Step("do_reopen_for_staff", replies=(reply,), handoff_reason=reason)


def _after_confirmation(reading: Reading) -> Step:
    if reading.intent is Intent.CORRECT:
        if reading.field is not None and reading.value is not None:
            return _record_correction(reading.field, reading.value)
        return Step("do_hand_off", replies=("handoff",), handoff_reason=HandoffReason.HUMAN_REQUESTED)
    if reading.intent in (Intent.HELP, Intent.OPT_IN):
        return Step("do_answer_help", replies=("help",))
    return SILENT  # thanks, another "1": nothing to add


def _in_bot_state(state: str, reading: Reading, *, reprompts: int, max_reprompts: int) -> Step:
    intent = reading.intent
    if intent is Intent.CORRECT:
        step = _correction_step(state, reading)
        if step is not None:
            return step
    elif intent is Intent.CONFIRM and state == S.AWAITING_CONFIRMATION:
        replies = ("confirmation_received", "help") if reading.with_help else ("confirmation_received",)
        return Step("do_confirm", replies=replies)
    elif intent in (Intent.HELP, Intent.OPT_IN):
        return Step("do_answer_help", replies=("help",))
    return _ambiguous(state, reprompts=reprompts, max_reprompts=max_reprompts)


def _correction_step(state: str, reading: Reading) -> Step | None:
    """The move for a correction signal, or None when it says too little for this state."""
    if reading.field is not None and reading.value is not None:
        return _record_correction(reading.field, reading.value)
    if reading.field is not None:
        return Step("do_ask_value", replies=(f"value_prompt_{reading.field.value}",), asked_field=reading.field)
    if state == S.AWAITING_CONFIRMATION:
        return Step("do_ask_field", replies=("field_menu",))
    return None


def _record_correction(field: Field, value: int | str) -> Step:
    return Step(
        "do_record_correction",
        replies=("correction_received",),
        handoff_reason=HandoffReason.CORRECTION,
        correction=(field, value),
    )


def _ambiguous(state: str, *, reprompts: int, max_reprompts: int) -> Step:
    if reprompts < max_reprompts:
        return Step("do_reprompt", replies=(_REPROMPTS[state],), counts_as_reprompt=True)
    return Step("do_hand_off", replies=("handoff",), handoff_reason=HandoffReason.AMBIGUOUS)


_REPROMPTS: dict[str, str] = {
    S.AWAITING_CONFIRMATION: "reprompt_confirmation",
    S.AWAITING_CORRECTION_FIELD: "field_menu",
    S.AWAITING_CORRECTION_VALUE: "reprompt_value",
}
assert set(_REPROMPTS) == set(BOT_STATES)
