"""The CSV downloads: the figures of a period (one line per filing day, locale and variant) and each
application's outcome (phones masked), written as they are read so a large period never sits in memory."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import text
from sqlmodel import Session

from smsbot.privacy import mask_phone
from smsbot.reports.outcomes import STAGES
from smsbot.reports.sources import as_utc

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:")
FIGURE_COLUMNS = ("day", "locale", "variant", *STAGES)
OUTCOME_COLUMNS = (
    "application_id",
    "external_id",
    "phone",
    "day",
    "locale",
    "variant",
    "state",
    "notice_sent_at",
    "delivered",
    "replied_at",
    "confirmed_at",
    "corrected",
    "handoff_reason",
    "opted_out",
    "failure_codes",
    "first_action_by",
    "settled_by",
)
_FIGURES = text(
    "SELECT day, locale, variant, measure, sum(count) FROM report_daily WHERE day BETWEEN :since AND :until"
    " GROUP BY day, locale, variant, measure ORDER BY day, locale, variant"
)
_OUTCOMES = text(
    "SELECT o.application_id, a.external_id, a.phone, o.day, o.locale, o.variant, a.state, o.notice_at,"
    " o.delivered, o.replied_at, o.confirmed_at, o.corrected, o.handoff_reason, o.opted_out, o.failure_codes,"
    " f.username, s.username FROM report_outcomes o JOIN applications a ON a.id = o.application_id"
    " LEFT JOIN staff_users f ON f.id = o.first_action_by LEFT JOIN staff_users s ON s.id = o.settled_by"
    " WHERE o.day BETWEEN :since AND :until ORDER BY o.day, o.application_id"
)


# A text cell a spreadsheet would run as a formula (OWASP's CSV injection list): =, +, -, @, tab, carriage return.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _line(values: list[object] | tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([_inert(value) for value in values])
    return buffer.getvalue()


def _inert(value: object) -> object:
    """Text that would start a formula is written with a leading apostrophe, so it is shown, never run: a
    lender's external id or a staff username is data, not a formula for the analyst's spreadsheet."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def figures_csv(session: Session, since: date, until: date) -> Iterator[str]:
    bounds = {"since": since.isoformat(), "until": until.isoformat()}
    rows: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for day, locale, variant, measure, count in session.execute(_FIGURES, bounds):
        if measure in STAGES:
            rows[(day, locale, variant)][measure] += int(count)
    yield _line(FIGURE_COLUMNS)
    for key, funnel in rows.items():
        yield _line([*key, *(funnel[stage] for stage in STAGES)])


def outcomes_csv(session: Session, since: date, until: date) -> Iterator[str]:
    bounds = {"since": since.isoformat(), "until": until.isoformat()}
    yield _line(OUTCOME_COLUMNS)
    for row in session.execute(_OUTCOMES, bounds):
        values = list(row)
        values[2] = mask_phone(values[2])
        yield _line([_cell(value) for value in values])


def _cell(value: object) -> object:
    """One spelling on both databases: times in ISO 8601 UTC, flags 0/1."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime) or (isinstance(value, str) and _TIME.match(value)):
        return as_utc(value).isoformat(timespec="seconds")
    return "" if value is None else value
