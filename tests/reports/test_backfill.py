"""The backfill (one set-based pass over a backlog) leaves the very rows the incremental rounds leave, on
SQLite and PostgreSQL: both run over the same seeded history and report_outcomes, report_daily and the
watermarks are compared row by row."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from smsbot.models import utcnow
from smsbot.reports.backfill import backfill
from smsbot.reports.figures import Report
from smsbot.reports.rollup import catch_up, roll_up
from smsbot.reports.service import current_report
from smsbot.worker import drain_once
from tests.factories import file
from tests.reports.history import TRUTH, seed_history

TABLES = ("report_outcomes", "report_daily", "report_watermarks")


def _rows(rt):  # type: ignore[no-untyped-def]
    with rt.engine.connect() as connection:
        return {table: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {table}")))) for table in TABLES}


def _forget(rt) -> None:  # type: ignore[no-untyped-def]
    with rt.engine.begin() as connection:
        connection.execute(text("DELETE FROM report_outcomes"))
        connection.execute(text("DELETE FROM report_daily"))
        connection.execute(text("UPDATE report_watermarks SET last_id = 0"))


def _incremental(rt) -> None:  # type: ignore[no-untyped-def]
    """Small rounds, so applications are folded again as their later rows arrive (the path a worker takes)."""
    zone = rt.settings.default_timezone
    while roll_up(rt.sessions, timezone=zone, limit=3):
        pass


def test_a_backfill_leaves_the_rows_the_incremental_rounds_leave(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    seed_history(app, rt, client)
    _incremental(rt)
    stepwise = _rows(rt)
    _forget(rt)
    assert backfill(rt.sessions, timezone=rt.settings.default_timezone) == TRUTH["filed"]
    assert _rows(rt) == stepwise
    assert sum(n for _, _, _, measure, label, n in stepwise["report_daily"] if measure == "filed") == TRUTH["filed"]


def test_a_backfill_after_some_rounds_counts_each_application_once(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    seed_history(app, rt, client)
    _incremental(rt)
    stepwise = _rows(rt)
    _forget(rt)
    zone = rt.settings.default_timezone
    for _ in range(3):  # part of the history is rolled up, then the rest at once
        roll_up(rt.sessions, timezone=zone, limit=4)
    backfill(rt.sessions, timezone=zone)
    assert _rows(rt) == stepwise
    assert backfill(rt.sessions, timezone=zone) == 0


def test_new_rows_after_a_backfill_roll_up_incrementally(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    seed_history(app, rt, client)
    zone = rt.settings.default_timezone
    backfill(rt.sessions, timezone=zone)
    for _ in range(2):  # later filings, and their notices sent, after the backfill
        file(client, applicant={"locale": "zh-CN", "name": "张三"})
    drain_once(rt.sessions, rt.provider, settings=rt.settings)
    catch_up(rt.sessions, timezone=zone, backfills=False)
    both = _rows(rt)
    assert both != {} and len(both["report_outcomes"]) == TRUTH["filed"] + 2
    _forget(rt)
    _incremental(rt)
    assert _rows(rt) == both


def test_a_page_round_does_not_wait_for_a_rollup_in_progress(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    if rt.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer: a page round queues behind it")
    seed_history(app, rt, client)
    zone = rt.settings.default_timezone
    catch_up(rt.sessions, timezone=zone)
    file(client, applicant={"locale": "zh-CN", "name": "张三"})
    today = utcnow().date()
    reports: list[Report] = []
    with rt.engine.connect() as holder, holder.begin():  # another rollup's transaction, holding the watermarks
        holder.execute(text("SELECT * FROM report_watermarks FOR UPDATE"))
        reader = threading.Thread(
            target=lambda: reports.append(current_report(rt.sessions, today, today, timezone=zone))
        )
        reader.start()
        reader.join(timeout=15)
        assert not reader.is_alive()
    assert reports[0].catching_up
    assert current_report(rt.sessions, today, today, timezone=zone).catching_up is False
