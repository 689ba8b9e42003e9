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
from smsbot.reports.rollup import catch_up

DEFAULT_DAYS = 30
MAX_DAYS = 732  # two years of filing days a page at most


def default_period(timezone: str, *, now: datetime | None = None) -> tuple[date, date]:
    """The last DEFAULT_DAYS filing days, today included, in the lender's timezone."""
    today = (now or utcnow()).astimezone(ZoneInfo(timezone)).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def current_report(factory: sessionmaker[Session], since: date, until: date, *, timezone: str) -> Report:
    """The report of filing days `since`..`until`, with everything recorded so far rolled up first."""
    catch_up(factory, timezone=timezone)
    with factory() as session:
        return load_report(session, since, until)


DOWNLOADS: dict[str, Callable[[Session, date, date], Iterator[str]]] = {
    "figures": figures_csv,
    "outcomes": outcomes_csv,
}


def download(factory: sessionmaker[Session], kind: str, since: date, until: date, *, timezone: str) -> Iterator[str]:
    """The lines of one CSV download (`kind` in DOWNLOADS), read as they are sent."""
    catch_up(factory, timezone=timezone)
    writer = DOWNLOADS[kind]

    def lines() -> Iterator[str]:
        with factory() as session:
            yield from writer(session, since, until)

    return lines()
