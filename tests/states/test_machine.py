"""The transition table as data: every move it allows, and that everything else is refused."""

from __future__ import annotations

import pytest

from states.conversation_states import BOT_STATES, State
from states.machine import EVENTS, TRANSITIONS, IllegalMove, apply_event, can_fire, edges

S = State


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (S.AWAITING_CONFIRMATION, "do_confirm", S.CONFIRMED),
        (S.AWAITING_CONFIRMATION, "do_ask_field", S.AWAITING_CORRECTION_FIELD),
        (S.AWAITING_CORRECTION_FIELD, "do_ask_value", S.AWAITING_CORRECTION_VALUE),
        (S.AWAITING_CORRECTION_VALUE, "do_record_correction", S.HANDED_OFF),
        (S.AWAITING_CORRECTION_VALUE, "do_reprompt", S.AWAITING_CORRECTION_VALUE),
        (S.CONFIRMED, "do_opt_out", S.OPTED_OUT),
        (S.HANDED_OFF, "do_opt_out", S.OPTED_OUT),
        (S.CLOSED, "do_opt_out", S.OPTED_OUT),
        (S.OPTED_OUT, "do_opt_in", S.HANDED_OFF),
        (S.HANDED_OFF, "do_staff_release", S.AWAITING_CONFIRMATION),
        (S.HANDED_OFF, "do_staff_apply_correction", S.AWAITING_CONFIRMATION),
        (S.CLOSED, "do_staff_resend_notice", S.AWAITING_CONFIRMATION),
        (S.CLOSED, "do_reopen_for_staff", S.HANDED_OFF),
        (S.AWAITING_CONFIRMATION, "do_expire", S.HANDED_OFF),
    ],
)
def test_allowed_moves_land_where_the_table_says(state: State, event: str, after: State) -> None:
    assert apply_event(state, event) == after


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.CONFIRMED, "do_confirm"),
        (S.AWAITING_CORRECTION_FIELD, "do_confirm"),
        (S.OPTED_OUT, "do_opt_out"),
        (S.OPTED_OUT, "do_staff_confirm"),
        (S.OPTED_OUT, "do_staff_resend_notice"),
        (S.HANDED_OFF, "do_reprompt"),
        (S.CLOSED, "do_remind"),
        (S.HANDED_OFF, "do_reopen_for_staff"),
        (S.AWAITING_CONFIRMATION, "do_opt_in"),
        (S.AWAITING_CONFIRMATION, "no_such_event"),
    ],
)
def test_moves_outside_the_table_are_refused(state: State, event: str) -> None:
    with pytest.raises(IllegalMove):
        apply_event(state, event)


def test_only_an_opt_in_leaves_opted_out() -> None:
    leaving = [e for e in EVENTS if can_fire(S.OPTED_OUT, e) and apply_event(S.OPTED_OUT, e) != S.OPTED_OUT]
    assert leaving == ["do_opt_in"]


def test_opt_out_is_possible_from_every_other_state() -> None:
    assert all(can_fire(s, "do_opt_out") for s in State if s is not S.OPTED_OUT)


def test_only_the_applicants_confirm_or_a_staff_member_reaches_confirmed() -> None:
    into_confirmed = {e.event for e in edges() if e.dest == S.CONFIRMED and e.source != S.CONFIRMED}
    assert into_confirmed == {"do_confirm", "do_staff_confirm"}
    assert [t["source"] for t in TRANSITIONS if t["trigger"] == "do_confirm"] == [[S.AWAITING_CONFIRMATION]]


def test_reminders_and_expiry_only_fire_while_the_bot_waits() -> None:
    for event in ("do_remind", "do_expire", "do_reprompt"):
        assert {s for s in State if can_fire(s, event)} == set(BOT_STATES)


def test_firing_events_attaches_nothing_to_the_shared_machine() -> None:
    from states.machine import _MACHINE

    for _ in range(1000):
        apply_event(S.AWAITING_CONFIRMATION, "do_confirm")
    assert _MACHINE.models == []
