"""On SQLite a reply is read and its move planned from a snapshot, before the one write lock is taken, and
written only if the application still reads the same under the lock. These tests hold that guard to account:
a stale decision writes nothing, and taking the snapshot never waits for a writer."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select
from sqlmodel import col

from smsbot.conversation import service as conversation
from smsbot.conversation.service import _plan_from_snapshot, _write_snapshot_plan, handle_inbound
from smsbot.dependencies import Runtime
from smsbot.models import Message, TransitionRecord
from tests.factories import application, file, send_sms

# PostgreSQL locks the application row before it reads: it never decides from a snapshot.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_a_decision_from_a_stale_snapshot_writes_nothing(client: FlaskClient, rt: Runtime) -> None:
    filed = file(client)
    phone = filed["applicant"]["phone"]
    with rt.engine.connect() as conn:
        early = _plan_from_snapshot(conn, settings=rt.settings, phone=phone, body="1")
    assert early is not None and early.move is not None and early.move.state == "confirmed"
    send_sms(client, phone, "2")  # the applicant asks to correct before the "1" is written
    with rt.engine.connect() as conn, conn.begin():
        assert _write_snapshot_plan(conn, early, settings=rt.settings, sid="SMstale") is None
        stored = conn.execute(select(func.count()).where(col(Message.provider_sid) == "SMstale")).scalar()
        transitions = conn.execute(select(func.count()).select_from(TransitionRecord)).scalar()
    assert stored == 0
    assert transitions == 2  # the filing and the "2": no confirmation
    assert application(client, filed["id"])["state"] == "awaiting_correction_field"


def test_a_stale_snapshot_falls_back_to_reading_under_the_lock(
    client: FlaskClient, rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A "1" read as a confirmation from the snapshot, but the applicant's "2" lands before the lock: the "1"
    is read again in the state the lock sees, as the first field of the menu."""
    filed = file(client)
    phone = filed["applicant"]["phone"]

    def decide_then_lose_the_race(conn: Connection, **kwargs: Any) -> Any:
        early = _plan_from_snapshot(conn, **kwargs)
        monkeypatch.undo()  # the racing "2" takes the ordinary path
        assert send_sms(client, phone, "2").status_code == 200
        return early

    monkeypatch.setattr(conversation, "_plan_from_snapshot", decide_then_lose_the_race)
    outcome = handle_inbound(rt.engine, settings=rt.settings, sid="SMafter", phone=phone, body="1")
    assert outcome.state == "awaiting_correction_value"
    after = application(client, filed["id"])
    assert [t["to_state"] for t in after["transitions"]] == [
        "awaiting_confirmation",
        "awaiting_correction_field",
        "awaiting_correction_value",
    ]
    assert after["messages"][-1]["kind"] == "value_prompt_name"


def test_a_decision_from_an_unchanged_snapshot_is_written_with_its_cause(client: FlaskClient, rt: Runtime) -> None:
    filed = file(client)
    phone = filed["applicant"]["phone"]
    with rt.engine.connect() as conn:
        early = _plan_from_snapshot(conn, settings=rt.settings, phone=phone, body="1")
    assert early is not None
    with rt.engine.connect() as conn, conn.begin():
        outcome = _write_snapshot_plan(conn, early, settings=rt.settings, sid="SMfresh")
    assert outcome is not None and outcome.state == "confirmed"
    after = application(client, filed["id"])
    assert after["state"] == "confirmed"
    assert after["transitions"][-1]["cause"] == {"type": "message", "id": outcome.message_id}


def test_taking_the_snapshot_never_waits_for_a_writer(client: FlaskClient, rt: Runtime) -> None:
    filed = file(client)
    writer = sqlite3.connect(rt.engine.url.database or "", isolation_level=None, timeout=30)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    done = threading.Event()

    def snapshot() -> None:
        with rt.engine.connect() as conn:
            _plan_from_snapshot(conn, settings=rt.settings, phone=filed["applicant"]["phone"], body="1")
        done.set()

    try:
        threading.Thread(target=snapshot, daemon=True).start()
        assert done.wait(5), "the snapshot waited for the write lock"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
