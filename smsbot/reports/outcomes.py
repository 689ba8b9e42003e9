"""One application's funnel, folded from its history (messages, transitions, staff actions), and what it
contributes to the daily aggregates. The rollup stores the outcome and applies the difference between what
the old outcome and the new one contribute, so however often an application is folded it counts once.

What each stage means (the page and the README say the same):
- sent: a filing notice was handed to the provider (its first `sent_at`); delivered: the provider reported
  one delivered (or read);
- replied: the applicant wrote at least once; no_reply: a notice was sent and nothing came back;
- confirmed: the conversation reached `confirmed` (by the applicant or a staff member);
- corrected: the applicant asked to correct a detail (the correction menu, or a handoff with `correction`);
- handed_off: the first handoff, by its reason; opted_out: the conversation reached `opted_out`;
- the staff member's times count from that first handoff: to their first action on it, and to the move that
  settled it (a staff transition out of `handed_off`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from smsbot.models.message_status import MessageStatus
from smsbot.reports.buckets import bucket_of
from states.conversation_states import HandoffReason, State

STAGES = (
    "filed",
    "sent",
    "delivered",
    "replied",
    "confirmed",
    "corrected",
    "handed_off",
    "opted_out",
    "no_reply",
)
NOTICE_KIND = "notice"
DELIVERED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ})
FAILED = frozenset({MessageStatus.FAILED, MessageStatus.UNDELIVERED})
CORRECTION_STATES = frozenset({State.AWAITING_CORRECTION_FIELD, State.AWAITING_CORRECTION_VALUE})
UNKNOWN_CODE = "unknown"
Key = tuple[str, str]  # (measure, label)


@dataclass
class Outcome:
    application_id: int
    day: str
    locale: str
    variant: str
    state: str
    notice_at: datetime | None = None
    delivered: bool = False
    failure_codes: str = ""
    replied_at: datetime | None = None
    confirmed_at: datetime | None = None
    corrected: bool = False
    handoff_reason: str | None = None
    handed_off_at: datetime | None = None
    opted_out: bool = False
    first_action_at: datetime | None = None
    first_action_by: int | None = None
    settled_at: datetime | None = None
    settled_by: int | None = None
    codes: list[str] = field(default_factory=list, repr=False)

    def row(self) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in COLUMNS}
        return values | {"failure_codes": ",".join(self.codes)[:200]}


COLUMNS = tuple(name for name in Outcome.__dataclass_fields__ if name != "codes")


def from_row(row: Any) -> Outcome:
    """The outcome as the rollup stored it."""
    outcome = Outcome(**{name: getattr(row, name) for name in COLUMNS})
    outcome.codes = [code for code in outcome.failure_codes.split(",") if code]
    return outcome


def fold(base: Outcome, messages: Iterable[Any], transitions: Iterable[Any], actions: Iterable[Any]) -> Outcome:
    """`base` (the application's day, locale, variant and state) with its history applied. Rows: messages
    (direction, kind, status, error_code, sent_at, created_at), transitions in id order (from_state, to_state,
    handoff_reason, cause, cause_id, created_at), staff actions in id order (staff_id, created_at)."""
    out = replace(base, codes=[])
    for m in messages:
        _fold_message(out, m)
    for t in transitions:
        _fold_transition(out, t)
    for a in actions:
        if out.handed_off_at and out.first_action_at is None and a.created_at >= out.handed_off_at:
            out.first_action_at, out.first_action_by = a.created_at, a.staff_id
    out.codes.sort()
    return out


def _fold_message(out: Outcome, m: Any) -> None:
    if m.direction == "in":
        out.replied_at = _earliest(out.replied_at, m.created_at)
        return
    if m.kind == NOTICE_KIND and m.sent_at is not None:
        out.notice_at = _earliest(out.notice_at, m.sent_at)
    if m.kind == NOTICE_KIND and m.status in DELIVERED:
        out.delivered = True
    if m.status in FAILED:
        out.codes.append(m.error_code or UNKNOWN_CODE)


def _fold_transition(out: Outcome, t: Any) -> None:
    if t.to_state == State.CONFIRMED and out.confirmed_at is None:
        out.confirmed_at = t.created_at
    if t.to_state in CORRECTION_STATES or t.handoff_reason == HandoffReason.CORRECTION:
        out.corrected = True
    if t.to_state == State.OPTED_OUT:
        out.opted_out = True
    if t.to_state == State.HANDED_OFF and out.handed_off_at is None:
        out.handed_off_at, out.handoff_reason = t.created_at, t.handoff_reason or UNKNOWN_CODE
    elif t.from_state == State.HANDED_OFF and t.cause == "staff" and out.handed_off_at and out.settled_at is None:
        out.settled_at, out.settled_by = t.created_at, t.cause_id


def _earliest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate < current else current


def contributions(o: Outcome | None) -> Counter[Key]:
    """What one outcome adds to its (day, locale, variant) in the aggregates."""
    counts: Counter[Key] = Counter()
    if o is None:
        return counts
    flags = {
        "filed": True,
        "sent": o.notice_at is not None,
        "delivered": o.delivered,
        "replied": o.replied_at is not None,
        "confirmed": o.confirmed_at is not None,
        "corrected": o.corrected,
        "opted_out": o.opted_out,
        "no_reply": o.notice_at is not None and o.replied_at is None,
    }
    counts.update((stage, "") for stage, on in flags.items() if on)
    if o.handoff_reason:
        counts[("handed_off", o.handoff_reason)] += 1
    counts.update(("failure", code) for code in o.codes)
    if o.notice_at and o.confirmed_at:
        counts[("confirm_time", bucket_of((o.confirmed_at - o.notice_at).total_seconds()))] += 1
    if o.handed_off_at and o.first_action_at:
        seconds = (o.first_action_at - o.handed_off_at).total_seconds()
        counts[("first_action", f"{o.first_action_by}:{bucket_of(seconds)}")] += 1
    if o.handed_off_at and o.settled_at:
        seconds = (o.settled_at - o.handed_off_at).total_seconds()
        counts[("settle", f"{o.settled_by}:{bucket_of(seconds)}")] += 1
    return counts
