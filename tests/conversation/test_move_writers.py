"""One move, three writers, the same rows.

A reply's move is written by `moves.write_move` (the plain twin: Core statements, after the inbound message
was inserted on its own) or by `reply_writers.write_reply`, the webhook's fast paths: one statement of
data-modifying CTEs on PostgreSQL, direct driver statements on SQLite, and on SQLite the guarded variant that
writes a decision taken from a snapshot. Every move shape the policy can choose runs through the plain writer
and through each fast writer on fresh databases of the same dialect, and every table is compared column by
column. Surrogate ids may differ; what they point at may not.

The cases are derived from the policy itself (every state a reply can find an application in, every reading),
so a new move shape is compared as soon as the policy can choose it, and every table and column of the
metadata is compared, so a new column fails here until each writer stores it. Events for the lender's system
are on, so the event outbox rows a move causes are compared too (their random `webhook-id` only by form)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import Connection, Engine, delete, insert, select

from smsbot.config import Settings, load_settings
from smsbot.conversation.moves import APPLICATIONS, plan_move, write_move
from smsbot.conversation.reply_writers import write_reply
from smsbot.conversation.service import (
    _inbound_row,
    _snapshot,
    _SnapshotPlan,
    _write_snapshot_plan,
    lock_active_application,
)
from smsbot.conversation.timers import CANCELLED, EXPIRE, FIRED, PENDING, REMINDER
from smsbot.db import make_engine
from smsbot.models import OUTBOUND, Message, Timer, metadata
from states.conversation_states import BOT_STATES, HandoffReason, State
from states.intents import Field, Intent, Reading
from states.machine import EVENTS, apply_event
from states.policy import Step, decide
from tests.conftest import API_TOKEN, AUTH_TOKEN, EVENTS_SECRET, PUBLIC_URL

NOW = datetime(2026, 8, 3, 2, 30, 15, 123456, tzinfo=UTC)
FILED = NOW - timedelta(hours=30)
PHONE = "+8613800138000"
SID = "SM" + "5" * 32
BODY = "你好"
MAX_REPROMPTS = 1
ASKED = Field.AMOUNT  # what a conversation waiting for a value was asked for
SAMPLE_VALUES: dict[Field, int | str] = {  # the first stands for all in a shape: a number, stored as text
    Field.AMOUNT: 60000,
    Field.NAME: "李四",
    Field.TERM: 24,
    Field.PURPOSE: "买饲料",
    Field.OTHER: "地址写错了",
}
# Events no reply fires: timers, delivery outcomes and staff actions write through `carry_out` alone.
NOT_FROM_A_REPLY = (
    {"do_remind", "do_expire", "do_fail_delivery"}
    | {e for e in EVENTS if e.startswith("do_staff_")}
    | {"do_record_decision", "do_end_by_decision", "do_change_phone"}  # the lender's API and staff, never a reply
)


@dataclass(frozen=True)
class Case:
    """A move shape: the state the reply finds the application in, and the step the policy chose."""

    state: State
    reprompts: int
    step: Step

    @property
    def name(self) -> str:
        step = self.step
        parts = [self.state.value, step.event or "no event", *step.replies]
        parts += [f"reason {step.handoff_reason.value}"] if step.handoff_reason else []
        parts += [f"after {self.reprompts} reprompts"] if self.reprompts else []
        return " ".join(parts)


def _readings() -> Iterator[Reading]:
    for intent in Intent:
        yield Reading(intent, redacted_text=BODY)
        yield Reading(intent, with_help=True, redacted_text=BODY)
        for field in SAMPLE_VALUES:
            yield Reading(intent, field=field, redacted_text=BODY)
            yield Reading(intent, field=field, value=SAMPLE_VALUES[field], redacted_text=BODY)


def _cases() -> list[Case]:
    """One case per distinct shape of write the policy chooses (which handoff reason, which field, is a value,
    not a shape); a closed application sees a reply only when its phone has no open one."""
    found: dict[tuple[Any, ...], Case] = {}

    def add(state: State, reprompts: int, step: Step) -> None:
        key = (state, reprompts, step.event, len(step.replies), bool(step.handoff_reason), bool(step.correction))
        found.setdefault(key, Case(state, reprompts, step))

    for state in State:
        for reading in _readings():
            first = decide(state, reading, reprompts=0, max_reprompts=MAX_REPROMPTS)
            add(state, 0, first)
            again = decide(state, reading, reprompts=MAX_REPROMPTS, max_reprompts=MAX_REPROMPTS)
            if again != first:  # the reprompt counter changed the decision
                add(state, MAX_REPROMPTS, again)
        if state is not State.OPTED_OUT:  # the webhook's opt-out move sends nothing itself (the confirmation
            add(state, 0, Step("do_opt_out"))  # goes once per phone, apart)
    return list(found.values())


CASES = _cases()
# Which pending timers the move finds: both (re-armed in place), only the expiry after the reminder fired,
# or none (the rule replaces them).
TIMERS = ("both pending", "expiry pending", "none pending")
MESSAGES = Message.__table__
Rows = dict[str, list[dict[str, Any]]]
FAST_WRITERS = {"postgresql CTE": "postgresql", "sqlite direct": "sqlite", "sqlite snapshot": "sqlite"}


def test_the_cases_reach_every_event_a_reply_fires_and_every_kind_of_write() -> None:
    events = {case.step.event for case in CASES}
    assert events >= EVENTS - NOT_FROM_A_REPLY, "an event a reply can fire has no case"
    assert None in events, "a step with no event"
    assert {len(case.step.replies) for case in CASES} >= {0, 1, 2}
    assert any(case.step.correction for case in CASES)
    stays = {apply_event(case.state, case.step.event) in BOT_STATES for case in CASES if case.step.event}
    assert stays == {True, False}, "moves that re-arm the timers and moves that cancel them"
    assert len({case.name for case in CASES}) == len(CASES)


def test_the_cases_write_events_alone_in_twos_and_not_at_all(settings: Settings) -> None:
    """Event rows are part of the comparison: some moves write none, some one, some two (cause and effect)."""
    app = _Seeded(State.AWAITING_CONFIRMATION)
    counts = set()
    for case in CASES:
        move = plan_move(
            app._replace(state=case.state), case.step, settings=settings, cause="message", cause_id=None, now=NOW
        )
        counts.add(len(move.events) if move else 0)
    assert counts >= {0, 1, 2}


@pytest.mark.parametrize("timers", TIMERS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
@pytest.mark.parametrize("writer", FAST_WRITERS)
def test_each_fast_writer_stores_exactly_the_rows_of_the_plain_writer(
    writer: str, case: Case, timers: str, fresh_database: Callable[[str], Engine], settings: Settings
) -> None:
    dialect = FAST_WRITERS[writer]
    plain = _written_plainly(dialect, case, timers, fresh_database, settings)
    _assert_same(plain, _write(fresh_database(dialect), writer, case, timers, settings))


@pytest.mark.parametrize("timers", TIMERS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_plain_writer_stores_the_same_rows_on_both_databases(
    case: Case, timers: str, fresh_database: Callable[[str], Engine], settings: Settings
) -> None:
    on_sqlite = _written_plainly("sqlite", case, timers, fresh_database, settings)
    on_postgresql = _written_plainly("postgresql", case, timers, fresh_database, settings)
    _assert_same(on_sqlite, on_postgresql)


def test_the_comparison_tells_a_column_or_a_reference_apart(
    fresh_database: Callable[[str], Engine], settings: Settings
) -> None:
    """The check of the check: rows that differ in one column, or point at another row, do not compare equal."""
    case = next(c for c in CASES if c.step.event == "do_record_correction")
    rows = _write(fresh_database("sqlite"), "plain", case, "both pending", settings)
    broken = copy.deepcopy(rows)
    inbound = next(row for row in broken["messages"] if row["provider_sid"] == SID)
    del inbound["updated_at"]
    (correction,) = broken["corrections"]
    correction["message_id"] = "messages 1"
    assert _differences(rows, broken) == [
        f"messages[{inbound['id']}].updated_at: {NOW!r} != None",
        f"corrections[{correction['id']}].message_id: {inbound['id']!r} != 'messages 1'",
    ]


# --- the writers -------------------------------------------------------------------------------------------

_PLAIN: dict[tuple[str, str, str], Rows] = {}  # the reference rows, written once per dialect, case and timers


def _written_plainly(
    dialect: str, case: Case, timers: str, fresh_database: Callable[[str], Engine], settings: Settings
) -> Rows:
    key = (dialect, case.name, timers)
    if key not in _PLAIN:
        _PLAIN[key] = _write(fresh_database(dialect), "plain", case, timers, settings)
    return copy.deepcopy(_PLAIN[key])


def _write(engine: Engine, writer: str, case: Case, timers: str, settings: Settings) -> Rows:
    """Seed the application, write the reply with `writer`, return every table, labelled (see `_labelled`)."""
    with engine.begin() as conn:
        _seed(conn, case, timers)
    seeded = _dump(engine)
    with engine.connect() as conn:
        if writer == "sqlite snapshot":
            message_id = _write_from_snapshot(conn, case, settings)
        else:
            with conn.begin():
                message_id = _write_locked(conn, writer, case, settings)
    stored = _dump(engine)
    engine.dispose()
    inbound = [row for row in stored["messages"] if row["provider_sid"] == SID]
    assert [row["id"] for row in inbound] == [message_id], "the writer returns the inbound message's id"
    rows = _labelled(stored, seeded)
    _assert_caused_by_the_inbound_message(rows)
    return rows


def _write_locked(conn: Connection, writer: str, case: Case, settings: Settings) -> int | None:
    app = lock_active_application(conn, PHONE)
    assert app is not None
    inbound = _inbound_row(app, sid=SID, phone=PHONE, body=BODY, now=NOW)
    if writer != "plain":
        move = plan_move(app, case.step, settings=settings, cause="message", cause_id=None, now=NOW)
        return write_reply(conn, inbound, move, settings=settings, now=NOW)
    message_id: int = conn.execute(insert(MESSAGES).returning(MESSAGES.c.id), inbound).scalar_one()
    move = plan_move(app, case.step, settings=settings, cause="message", cause_id=message_id, now=NOW)
    if move is not None:
        write_move(conn, move, settings=settings, now=NOW)
    return message_id


def _write_from_snapshot(conn: Connection, case: Case, settings: Settings) -> int | None:
    """As the SQLite webhook does: read and plan before the write lock, write under it if nothing changed."""
    app = _snapshot(conn, PHONE)
    move = plan_move(app, case.step, settings=settings, cause="message", cause_id=None, now=NOW)
    planned = _SnapshotPlan(app, PHONE, BODY, Reading(Intent.AMBIGUOUS, redacted_text=BODY), case.step, move, NOW)
    with conn.begin():
        outcome = _write_snapshot_plan(conn, planned, settings=settings, sid=SID)
    assert outcome is not None, "an unchanged snapshot is written"
    return outcome.message_id


class _Seeded(NamedTuple):
    """What a move reads of the seeded application, without a database."""

    state: State
    id: int = 1
    external_id: str = "ext-writers"
    phone: str = PHONE
    locale: str = "zh-CN"
    name: str = "张三"
    amount_minor: int = 5_000_000
    currency: str = "CNY"
    submitted_at: datetime = FILED
    timezone: str | None = None
    reprompts: int = 0
    asked_field: str | None = ASKED.value
    handoff_reason: str | None = None
    notice_variant: str | None = None


def _seed(conn: Connection, case: Case, timers: str) -> None:
    """The application as the reply finds it: its notice sent, its timers as `timers` says."""
    application_id = conn.execute(
        insert(APPLICATIONS).returning(APPLICATIONS.c.id),
        {
            "external_id": "ext-writers",
            "request_fingerprint": "f" * 64,
            "name": "张三",
            "phone": PHONE,
            "locale": "zh-CN",
            "timezone": None,
            "amount_minor": 5_000_000,
            "currency": "CNY",
            "term_months": 12,
            "purpose": "养殖",
            "submitted_at": FILED - timedelta(minutes=5),
            "state": case.state.value,
            "handoff_reason": HandoffReason.HUMAN_REQUESTED.value if case.state is State.HANDED_OFF else None,
            "reprompts": case.reprompts,
            "asked_field": ASKED.value if case.state is State.AWAITING_CORRECTION_VALUE else None,
            "notice_version": 1,
            "assignee_id": None,
            "created_at": FILED,
            "updated_at": FILED + timedelta(seconds=1, microseconds=5),
        },
    ).scalar_one()
    notice = {"application_id": application_id, "direction": OUTBOUND, "phone": PHONE, "body": "notice"}
    notice |= {"kind": "notice", "status": "sent", "provider_sid": "SM" + "0" * 32, "priority": 10}
    notice |= {"send_after": FILED, "lease_until": None, "attempts": 1, "error_code": None, "retry_of": None}
    notice |= {"created_at": FILED, "updated_at": FILED, "sent_at": FILED}
    conn.execute(insert(MESSAGES), notice)
    reminder, expiry = {
        "both pending": (PENDING, PENDING),
        "expiry pending": (FIRED, PENDING),
        "none pending": (FIRED, CANCELLED),
    }[timers]
    conn.execute(
        insert(Timer.__table__),
        [
            {"application_id": application_id, "kind": kind, "status": status, "created_at": FILED}
            | {"due_at": FILED + due, "fired_at": FILED + due if status == FIRED else None}
            for kind, status, due in ((REMINDER, reminder, timedelta(days=1)), (EXPIRE, expiry, timedelta(days=3)))
        ],
    )


# --- the comparison ----------------------------------------------------------------------------------------

# Columns holding another row's id without a foreign key: in these moves the cause is always a message.
UNDECLARED_REFERENCES = {("transitions", "cause_id"): "messages", ("phone_consents", "message_id"): "messages"}
REFERENCES = UNDECLARED_REFERENCES | {
    (table.name, column.name): next(iter(column.foreign_keys)).column.table.name
    for table in metadata.sorted_tables
    for column in table.columns
    if column.foreign_keys
}


def _dump(engine: Engine) -> Rows:
    """Every row of every table, as the column types read them back."""
    with engine.connect() as conn:
        return {
            table.name: [dict(row._mapping) for row in conn.execute(select(table).order_by(*table.primary_key))]
            for table in metadata.sorted_tables
        }


def _labelled(stored: Rows, seeded: Rows) -> Rows:
    """Rows with every surrogate id, and every reference to one, replaced by a label: seeded rows are numbered
    in the order they were inserted (each database was seeded alike), rows the move added in the order of
    their contents."""
    labels: dict[tuple[str, Any], str] = {}
    for table, rows in stored.items():
        if "id" not in metadata.tables[table].primary_key.columns:
            continue
        before = {row["id"] for row in seeded[table]}
        added = sorted((row for row in rows if row["id"] not in before), key=lambda row: _contents(table, row))
        labels |= {(table, row["id"]): f"{table} {n}" for n, row in enumerate(seeded[table], 1)}
        labels |= {(table, row["id"]): f"new {table} {n}" for n, row in enumerate(added)}

    def label(table: str, row: dict[str, Any]) -> dict[str, Any]:
        out = dict(row)
        if table == "event_outbox":  # random, so compared by form: unique per event, the same on retries
            assert re.fullmatch(r"evt_[0-9a-f]{32}", out.pop("webhook_id"))
            body = json.loads(out["payload"])  # the body names the application by its id, a surrogate too
            body["data"]["application_id"] = labels[("applications", body["data"]["application_id"])]
            out["payload"] = body
        if (table, row.get("id")) in labels:
            out["id"] = labels[table, row["id"]]
        for (referring, column), referred in REFERENCES.items():
            if referring == table and row[column] is not None:
                out[column] = labels.get((referred, row[column]), f"dangling {referred} {row[column]}")
        return out

    return {table: sorted((label(table, row) for row in rows), key=str) for table, rows in stored.items()}


def _contents(table: str, row: dict[str, Any]) -> str:
    return repr(sorted((k, v) for k, v in row.items() if k != "id" and (table, k) not in REFERENCES))


def _assert_caused_by_the_inbound_message(rows: Rows) -> None:
    (inbound,) = (row["id"] for row in rows["messages"] if row["provider_sid"] == SID)
    for transition in (row for row in rows["transitions"] if row["id"].startswith("new")):
        assert (transition["cause"], transition["cause_id"]) == ("message", inbound)
    for correction in (row for row in rows["corrections"] if row["id"].startswith("new")):
        assert correction["message_id"] == inbound


def _assert_same(expected: Rows, actual: Rows) -> None:
    differences = _differences(expected, actual)
    assert not differences, "\n".join(["the rows differ (expected != actual):", *differences])


def _differences(expected: Rows, actual: Rows) -> list[str]:
    """Each differing column as `table[row].column: expected != actual`; missing and extra rows by label."""
    found = []
    for table in expected:
        mine = {str(row.get("id", i)): row for i, row in enumerate(expected[table])}
        theirs = {str(row.get("id", i)): row for i, row in enumerate(actual[table])}
        found += [f"{table}[{key}] missing" for key in mine.keys() - theirs.keys()]
        found += [f"{table}[{key}] extra: {theirs[key]}" for key in theirs.keys() - mine.keys()]
        for key in sorted(mine.keys() & theirs.keys()):
            found += [
                f"{table}[{key}].{column}: {value!r} != {theirs[key].get(column)!r}"
                for column, value in mine[key].items()
                if theirs[key].get(column) != value
            ]
    return found


# --- fresh databases ---------------------------------------------------------------------------------------


@pytest.fixture
def settings() -> Settings:
    return load_settings(
        database_url="sqlite://",
        api_token=API_TOKEN,
        twilio_auth_token=AUTH_TOKEN,
        public_url=PUBLIC_URL,
        sms_backend="simulator",
        secret_key="test-secret",
        max_reprompts=MAX_REPROMPTS,
        events_url="http://127.0.0.1:9/events",
        events_secret=EVENTS_SECRET,
    )


@pytest.fixture
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Engine]]:
    """Make a freshly migrated database of a dialect; PostgreSQL's is the test process's, emptied (so take
    what you need from one before asking for the next). Emptied, not truncated: a hundred times faster, and
    ids are compared by label anyway."""
    engines: list[Engine] = []

    def make(dialect: str) -> Engine:
        if dialect == "sqlite":
            path = tmp_path / f"writers-{len(engines)}.sqlite3"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            engines.append(make_engine(f"sqlite:///{path}"))
        else:
            engines.append(make_engine(request.getfixturevalue("postgres_database")))
            with engines[-1].begin() as conn:
                for table in reversed(metadata.sorted_tables):
                    conn.execute(delete(table))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()
