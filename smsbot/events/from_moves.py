"""Which events a conversation move causes. Every transition of a conversation is planned by
`conversation.moves.plan_move`, which calls `events_of_move`: the one place where history becomes events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from smsbot.events.record import event_row, subject_of
from smsbot.events.types import EventType
from states.conversation_states import State

# A staff action that settles a conversation, by the machine event it fires, and its public name (the audit
# trail's action names).
SETTLED_HOW = {
    "do_staff_resend_notice": "resend_notice",
    "do_staff_apply_correction": "apply_correction",
    "do_staff_confirm": "confirm",
    "do_staff_close": "close",
    "do_staff_release": "release",
}


def events_of_move(
    app: Any,
    transition: dict[str, Any],
    correction: dict[str, Any] | None,
    *,
    staff: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The event rows a move writes, cause before effect: a settlement, a correction or a failed delivery
    first, then the state it leads to. `app`: the application before the move; `transition`: its record."""
    event, before, after = transition["event"], transition["from_state"], transition["to_state"]
    reason = transition["handoff_reason"]
    found: list[tuple[EventType, dict[str, Any]]] = []
    if event in SETTLED_HOW:
        found.append((EventType.SETTLED, {"how": SETTLED_HOW[event], "by": staff}))
    if correction is not None:
        found.append((EventType.CORRECTION_REQUESTED, {"field": correction["field"], "value": correction["value"]}))
    if event == "do_fail_delivery":
        found.append((EventType.DELIVERY_FAILED, {"message_id": transition["cause_id"]}))
    if event == "do_opt_in":
        found.append((EventType.OPTED_IN, {}))
    if after == State.OPTED_OUT and before != State.OPTED_OUT:
        found.append((EventType.OPTED_OUT, {}))
    if after == State.CONFIRMED and before != State.CONFIRMED:
        found.append((EventType.CONFIRMED, {}))
    if after == State.HANDED_OFF and (before != State.HANDED_OFF or reason != app.handoff_reason):
        found.append((EventType.HANDED_OFF, {"reason": reason}))
    changed = {"state": after, "handoff_reason": reason}
    subject = subject_of(app, cause=transition["cause"], previous_state=before, after=changed)
    return [event_row(event_type, subject, fields, now=now) for event_type, fields in found]
