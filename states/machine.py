"""The conversation machine as data: the transition table, one shared `transitions.Machine`, and an adapter
that lets the machine read and write a state string without touching any database row directly.

The machine only validates moves and sets the state; it performs no I/O, because it never rolls back. The
caller's database transaction is the rollback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transitions import Machine, MachineError

from states.conversation_states import BOT_STATES, State

S = State
ALL_STATES = list(State)
NOT_OPTED_OUT = [s for s in State if s is not S.OPTED_OUT]
WAITING = [s for s in State if s in BOT_STATES]  # in declaration order, so the diagram is stable
LIVE = [*WAITING, S.CONFIRMED]  # the bot still answers here
SETTLEABLE = [*WAITING, S.HANDED_OFF, S.CONFIRMED]

# Every move the conversation can make. `dest: None` is an internal transition (the state stays, the move is
# still recorded). Trigger names are prefixed with `do_` so they can never collide with adapter attributes.
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "do_confirm", "source": [S.AWAITING_CONFIRMATION], "dest": S.CONFIRMED},
    {"trigger": "do_ask_field", "source": [S.AWAITING_CONFIRMATION], "dest": S.AWAITING_CORRECTION_FIELD},
    {"trigger": "do_ask_value", "source": WAITING, "dest": S.AWAITING_CORRECTION_VALUE},
    {"trigger": "do_record_correction", "source": LIVE, "dest": S.HANDED_OFF},
    {"trigger": "do_reprompt", "source": WAITING, "dest": None},
    {"trigger": "do_answer_help", "source": LIVE, "dest": None},
    {"trigger": "do_hand_off", "source": LIVE, "dest": S.HANDED_OFF},
    {"trigger": "do_opt_out", "source": NOT_OPTED_OUT, "dest": S.OPTED_OUT},
    {"trigger": "do_opt_in", "source": [S.OPTED_OUT], "dest": S.HANDED_OFF},
    {"trigger": "do_remind", "source": WAITING, "dest": None},
    {"trigger": "do_expire", "source": WAITING, "dest": S.HANDED_OFF},
    {"trigger": "do_fail_delivery", "source": [*LIVE, S.HANDED_OFF], "dest": S.HANDED_OFF},
    {"trigger": "do_staff_resend_notice", "source": [*SETTLEABLE, S.CLOSED], "dest": S.AWAITING_CONFIRMATION},
    {"trigger": "do_staff_apply_correction", "source": SETTLEABLE, "dest": S.AWAITING_CONFIRMATION},
    {"trigger": "do_staff_confirm", "source": SETTLEABLE, "dest": S.CONFIRMED},
    {"trigger": "do_staff_close", "source": SETTLEABLE, "dest": S.CLOSED},
    # A reply to a closed conversation that asks for something goes back to a person (policy._after_closing).
    {"trigger": "do_reopen_for_staff", "source": [S.CLOSED], "dest": S.HANDED_OFF},
    {"trigger": "do_staff_release", "source": [S.HANDED_OFF], "dest": S.AWAITING_CONFIRMATION},
    # The lender's side: a decision is recorded in any state; a final one (declined, withdrawn) closes the
    # conversation unless the phone opted out, which stays recorded as it is.
    {"trigger": "do_record_decision", "source": ALL_STATES, "dest": None},
    {"trigger": "do_end_by_decision", "source": [*SETTLEABLE, S.CLOSED], "dest": S.CLOSED},
    # A verified new number: the notice goes again to it, and the bot waits for 1 / 2 from the new number. Not
    # from opted_out: only the applicant's own opt-in leaves it, whatever number the lender has since.
    {"trigger": "do_change_phone", "source": SETTLEABLE, "dest": S.AWAITING_CONFIRMATION},
]

EVENTS = frozenset(t["trigger"] for t in TRANSITIONS)


class StateHolder:
    """What the machine drives: a plain object whose `state` is read from and written back to the caller."""

    def __init__(self, state: str) -> None:
        self.state = state


# One machine for the whole process; events are fired on it with an explicit model, so no model is ever
# attached to it (attaching one per object leaks and slows down as models accumulate).
_MACHINE = Machine(
    model=None,
    states=[s.value for s in State],
    transitions=[
        {**t, "source": [str(s) for s in t["source"]], "dest": None if t["dest"] is None else str(t["dest"])}
        for t in TRANSITIONS
    ],
    initial=None,
    auto_transitions=False,
    send_event=False,
)


class IllegalMove(Exception):
    """An event that the current state does not allow; nothing changed."""


def apply_event(state: str, event: str) -> str:
    """Return the state after `event` fires from `state`; raise IllegalMove if the table forbids it."""
    if event not in EVENTS:
        raise IllegalMove(f"unknown event {event!r}")
    holder = StateHolder(str(state))  # the machine knows plain strings; an Enum would be looked up by name
    try:
        _MACHINE.events[event].trigger(holder)
    except MachineError as exc:
        raise IllegalMove(f"{event} is not allowed from {state}") from exc
    return holder.state


def can_fire(state: str, event: str) -> bool:
    return event in EVENTS and str(state) in _MACHINE.events[event].transitions


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    dest: str
    event: str


def edges() -> list[Edge]:
    """The table flattened to one edge per (source, event), internal moves drawn as loops."""
    return [Edge(str(source), str(t["dest"] or source), t["trigger"]) for t in TRANSITIONS for source in t["source"]]


def mermaid_diagram() -> str:
    """The state diagram in mermaid syntax, drawn from the table (never by hand)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.AWAITING_CONFIRMATION.value}"]
    merged: dict[tuple[str, str], list[str]] = {}
    for edge in edges():
        merged.setdefault((edge.source, edge.dest), []).append(edge.event.removeprefix("do_"))
    for (source, dest), events in merged.items():
        lines.append(f"    {source} --> {dest}: {', '.join(events)}")
    return "\n".join(lines) + "\n"
