"""Bulk filing from CSV (`smsbot import`): stream the file, validate each line as the API would, file in
batches, and report every line that was not filed with its line number and reason.

Memory stays constant for any file size: lines are read one at a time, only one batch is held, and
duplicates are found in the database (earlier batches are committed) plus the current batch. A batch is one
transaction; if the database refuses it, each row is retried in its own transaction, so a bad row never
leaves half an application behind and never takes the good rows of its batch down with it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col
from tqdm import tqdm

from smsbot.config import Settings
from smsbot.db import is_sqlite, transaction
from smsbot.intake.filing import ApplicationIn, application_values, filing_rows
from smsbot.intake.import_rows import COLUMNS, OPTIONAL_COLUMNS, REQUIRED, HeaderError, Row, read_rows
from smsbot.models import Application, Message, NoticeVersion, PhoneConsent, Timer, TransitionRecord, utcnow

__all__ = ["COLUMNS", "OPTIONAL_COLUMNS", "REQUIRED", "HeaderError", "Row", "import_file", "import_lines"]
REPORT_COLUMNS = ("line", "external_id", "reason")
DEFAULT_BATCH_SIZE = 500
# The database refusing one row (a constraint, a value it cannot hold); anything else, such as a lost
# connection, stops the import instead of rejecting every remaining row.
ROW_ERRORS = (IntegrityError, DataError)


class Outcome(StrEnum):
    FILED = "filed"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Result:
    row: Row
    outcome: Outcome
    reason: str = ""


@dataclass
class Summary:
    filed: int = 0
    duplicates: int = 0
    rejected: int = 0

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.FILED:
            self.filed += 1
        elif outcome is Outcome.DUPLICATE:
            self.duplicates += 1
        else:
            self.rejected += 1


Reject = Callable[[Result], None]


def import_file(
    factory: sessionmaker[Session],
    path: Path,
    *,
    settings: Settings,
    report: Path,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = False,
) -> Summary:
    """Import the CSV at `path`; rejected lines go to the CSV `report` (written even when empty, so an old
    report never lingers). With `progress`, a bar on stderr follows the bytes read (no line count first)."""
    bar = {"total": path.stat().st_size, "desc": "import", "unit": "B", "unit_scale": True, "disable": not progress}
    # Unbuffered, so that the text layer reads through the wrapped `read` (a buffered file's read1 bypasses it).
    with (
        path.open("rb", buffering=0) as raw,
        tqdm.wrapattr(raw, "read", **bar) as counted,
        report.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(REPORT_COLUMNS)
        text = io.TextIOWrapper(counted, encoding="utf-8-sig", newline="")
        return import_lines(
            factory,
            text,
            settings=settings,
            batch_size=batch_size,
            on_reject=lambda r: writer.writerow((r.row.line, r.row.external_id, r.reason)),
        )


def import_lines(
    factory: sessionmaker[Session],
    lines: Iterable[str],
    *,
    settings: Settings,
    on_reject: Reject,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Summary:
    """Import CSV text given line by line (a file, a generator); consumes it lazily, one batch at a time."""
    summary = Summary()
    for batch in _batches(read_rows(lines, region=settings.default_region), batch_size):
        for result in file_batch(factory, batch, settings=settings):
            summary.count(result.outcome)
            if result.outcome is Outcome.REJECTED:
                on_reject(result)
    return summary


def _batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def file_batch(factory: sessionmaker[Session], batch: list[Row], *, settings: Settings) -> list[Result]:
    """File the valid rows of `batch` in one transaction; if the database refuses it, file row by row."""
    try:
        with transaction(factory) as session:
            return _file_rows(session, batch, settings=settings)
    except ROW_ERRORS:
        return [result for row in batch for result in _file_alone(factory, row, settings=settings)]


def _file_alone(factory: sessionmaker[Session], row: Row, *, settings: Settings) -> list[Result]:
    try:
        with transaction(factory) as session:
            return _file_rows(session, [row], settings=settings)
    except ROW_ERRORS as exc:
        with transaction(factory) as session:  # lost a race with another filing of the same id?
            again = _file_rows(session, [row], settings=settings, dry_run=True)
        if again[0].outcome is not Outcome.FILED:
            return again
        return [Result(row, Outcome.REJECTED, f"not stored: {_first_line(exc)}")]


def _file_rows(session: Session, batch: list[Row], *, settings: Settings, dry_run: bool = False) -> list[Result]:
    """Decide each row against the database and the rows before it, then store the new ones (no commit)."""
    if not is_sqlite(session.get_bind()):
        # The driver prepares repeated statements, and PostgreSQL keeps a generic plan made while the table
        # was small: the duplicate lookup then scans the whole growing table for every batch (quadratic).
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    requests = [row.request for row in batch if row.request is not None]
    known = _fingerprints(session, [request.external_id for request in requests])
    results, new = [], []
    for row in batch:
        result = _decide(row, known)
        if result.outcome is Outcome.FILED and row.request is not None:
            known[row.external_id] = row.request.fingerprint
            new.append(row.request)
        results.append(result)
    if new and not dry_run:
        _store(session, new, settings=settings)
    return results


def _decide(row: Row, known: dict[str, str]) -> Result:
    if row.request is None:
        return Result(row, Outcome.REJECTED, row.reason)
    filed = known.get(row.external_id)
    if filed is None:
        return Result(row, Outcome.FILED)
    if filed in row.request.fingerprints:
        return Result(row, Outcome.DUPLICATE)
    return Result(row, Outcome.REJECTED, "conflict: external_id already filed with different content")


def _store(session: Session, requests: list[ApplicationIn], *, settings: Settings) -> None:
    """Store what `filing.new_application` stores for each request, one INSERT round per table instead of
    several per row: the applications first (for their ids), then their notice versions, filing records and
    queued notices as one executemany each. A test holds both paths to identical rows."""
    opted_out = _opted_out(session, [request.applicant.phone for request in requests])
    now = utcnow()
    values = [
        application_values(r, opted_out=r.applicant.phone in opted_out, now=now, settings=settings) for r in requests
    ]
    _insert_applications(session, values)
    rows: dict[Any, list[dict[str, Any]]] = {NoticeVersion: [], TransitionRecord: [], Message: [], Timer: []}
    for app in values:
        for model, row in filing_rows(SimpleNamespace(**app), settings=settings, now=now):
            rows[model].append(row)
    connection = session.connection()
    for model, table_rows in rows.items():
        if table_rows:
            connection.execute(model.__table__.insert(), table_rows)


def _insert_applications(session: Session, values: list[dict[str, Any]]) -> None:
    """Insert the application rows and put each one's id in its values. On PostgreSQL the ids come from the
    sequence first, so the rows go in as a pipelined executemany whose small statement the driver parses once,
    instead of one huge INSERT ... RETURNING per batch that it would parse again every time."""
    table = Application.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    if is_sqlite(connection):
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        for row, new_id in zip(values, connection.execute(returning, values).scalars(), strict=True):
            row["id"] = new_id
        return
    ids = connection.execute(
        text("SELECT nextval(pg_get_serial_sequence('applications', 'id')) FROM generate_series(1, :n)"),
        {"n": len(values)},
    ).scalars()
    for row, new_id in zip(values, ids, strict=True):
        row["id"] = new_id
    connection.execute(insert(table), values)


def _fingerprints(session: Session, external_ids: list[str]) -> dict[str, str]:
    if not external_ids:
        return {}
    query = select(col(Application.external_id), col(Application.request_fingerprint)).where(
        col(Application.external_id).in_(external_ids)
    )
    return {external_id: fingerprint for external_id, fingerprint in session.execute(query)}


def _opted_out(session: Session, phones: list[str]) -> set[str]:
    query = select(col(PhoneConsent.phone)).where(
        col(PhoneConsent.phone).in_(set(phones)), col(PhoneConsent.opted_out).is_(True)
    )
    return set(session.execute(query).scalars())


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
