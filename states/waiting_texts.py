"""Which queued texts a conversation still wants when their turn to be sent comes.

A filing notice or a reminder can wait in the outbox for hours (the sending window, a slow provider); by then
the applicant may have answered, staff may have closed the case, the lender may have declined it. A notice is
wanted only while the bot still waits for an answer to it, a reminder only while the conversation is still at
the prompt it repeats. Every other text (receipts, progress notices, staff replies) answers something that
happened and goes regardless."""

from __future__ import annotations

from states.conversation_states import BOT_STATES, State

NOTICE, REMINDER = "notice", "reminder"
WATCHED_KINDS = frozenset({NOTICE, REMINDER})
OUTDATED = "outdated"  # messages.error_code of a text withdrawn by this rule

# What a reminder re-sends, by the state the applicant left the conversation in.
REMINDER_TEMPLATES = {
    State.AWAITING_CONFIRMATION: "reminder",
    State.AWAITING_CORRECTION_FIELD: "field_menu",
    State.AWAITING_CORRECTION_VALUE: "reprompt_value",
}


def still_wanted(kind: str, template: str | None, state: str) -> bool:
    """Whether a queued text of `kind` (rendered from `template`, when known) still fits a conversation now in
    `state`."""
    if kind not in WATCHED_KINDS:
        return True
    if state not in BOT_STATES:
        return False
    if kind == NOTICE or template is None:
        return True
    return _same_prompt(template.split(".")[0], REMINDER_TEMPLATES[State(state)])


def _same_prompt(sent: str, expected: str) -> bool:
    """A value prompt is stored as the field's own (value_prompt_amount), asked for as reprompt_value."""
    return sent == expected or (expected == "reprompt_value" and sent.startswith("value_prompt_"))
