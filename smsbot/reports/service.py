"""What the page, the downloads and `smsbot report` call: catch the rollup up, then read the aggregates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.models import utcnow
from smsbot.reports.exports import figures_csv, outcomes_csv
from smsbot.reports.figures import Report, load_report
from smsbot.reports.rollup import catch_up, has_news

DEFAULT_DAYS = 30
MAX_DAYS = 732  # two years of filing days a page at most


def default_period(timezone: str, *, now: datetime | None = None) -> tuple[date, date]:
    """The last DEFAULT_DAYS filing days, today included, in the lender's timezone."""
    today = (now or utcnow()).astimezone(ZoneInfo(timezone)).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def current_report(
    factory: sessionmaker[Session], since: date, until: date, *, timezone: str, patient: bool = False
) -> Report:
    """The report of filing days `since`..`until`. A view (`patient` off) rolls up one bounded round first and
    never waits for a backlog (the worker backfills it): the report says whether it is still catching up.
    `patient` rolls up everything recorded so far first (`smsbot report`)."""
    _catch_up(factory, timezone=timezone, patient=patient)
    with factory() as session:
        report = load_report(session, since, until)
        report.catching_up = has_news(session)
        return report


def _catch_up(factory: sessionmaker[Session], *, timezone: str, patient: bool) -> None:
    if patient:
        catch_up(factory, timezone=timezone, max_rounds=10_000)
    else:
        catch_up(factory, timezone=timezone, max_rounds=1, backfills=False)


DOWNLOADS: dict[str, Callable[[Session, date, date], Iterator[str]]] = {
    "figures": figures_csv,
    "outcomes": outcomes_csv,
}


def download(factory: sessionmaker[Session], kind: str, since: date, until: date, *, timezone: str) -> Iterator[str]:
    """The lines of one CSV download (`kind` in DOWNLOADS), read as they are sent (one bounded round first,
    as for the page)."""
    _catch_up(factory, timezone=timezone, patient=False)
    writer = DOWNLOADS[kind]

    def lines() -> Iterator[str]:
        with factory() as session:
            yield from writer(session, since, until)

    return lines()
