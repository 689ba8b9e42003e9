"""The rollup against a seeded history of known outcomes, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import text

from smsbot.models import utcnow
from smsbot.reports.figures import load_report
from smsbot.reports.rollup import catch_up, roll_up
from tests.reports.history import TRUTH, TRUTH_FAILURES, TRUTH_HANDOFFS, TRUTH_LOCALES, seed_history


def _report(rt):  # type: ignore[no-untyped-def]
    today = utcnow().date()
    with rt.sessions() as session:
        return load_report(session, today - timedelta(days=1), today + timedelta(days=1))


def test_the_funnel_matches_the_seeded_history(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    seed_history(app, rt, client)
    assert catch_up(rt.sessions, timezone=rt.settings.default_timezone) > 0
    report = _report(rt)
    assert report.totals == TRUTH
    assert report.handoffs == TRUTH_HANDOFFS
    assert report.failures == TRUTH_FAILURES
    assert {locale: f["filed"] for locale, f in report.locales.items()} == TRUTH_LOCALES
    assert [row.name for row in report.staff] == ["alice", "bob"]
    assert [(row.handled, row.settled) for row in report.staff] == [(1, 1), (1, 1)]
    assert report.confirm_median is not None and report.confirm_median <= 60  # replies came within seconds


def test_rolling_up_twice_counts_each_application_once(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    seed_history(app, rt, client)
    zone = rt.settings.default_timezone
    catch_up(rt.sessions, timezone=zone)
    with rt.engine.begin() as connection:  # forget what was read: every row is read and folded again
        connection.execute(text("UPDATE report_watermarks SET last_id = 0"))
    catch_up(rt.sessions, timezone=zone)
    assert roll_up(rt.sessions, timezone=zone) == 0
    assert _report(rt).totals == TRUTH


def test_concurrent_rollups_count_each_application_once(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    seed_history(app, rt, client)
    zone = rt.settings.default_timezone
    errors: list[BaseException] = []

    def run() -> None:
        try:
            catch_up(rt.sessions, timezone=zone)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _report(rt).totals == TRUTH
