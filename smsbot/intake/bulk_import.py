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
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

from pydantic import ValidationError
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.config import Settings
from smsbot.db import is_sqlite, transaction
from smsbot.intake.filing import ApplicationIn, application_values, filing_rows
from smsbot.models import Application, Message, NoticeVersion, PhoneConsent, Timer, TransitionRecord, utcnow

COLUMNS = ("external_id", "name", "phone", "locale", "amount", "term_months", "purpose", "submitted_at")
OPTIONAL_COLUMNS = ("currency", "timezone")
REQUIRED = ("external_id", "name", "phone", "locale", "amount")
REPORT_COLUMNS = ("line", "external_id", "reason")
DEFAULT_BATCH_SIZE = 500
# The database refusing one row (a constraint, a value it cannot hold); anything else, such as a lost
# connection, stops the import instead of rejecting every remaining row.
ROW_ERRORS = (IntegrityError, DataError)


class HeaderError(ValueError):
    """The file's header row is not the import format; nothing was imported."""


class Outcome(StrEnum):
    FILED = "filed"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    external_id: str
    request: ApplicationIn | None = None  # None: the line was rejected before filing
    reason: str = ""


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
    on_bytes: Callable[[int], None] | None = None,
) -> Summary:
    """Import the CSV at `path`; rejected lines go to the CSV `report` (written even when empty, so an old
    report never lingers). `on_bytes` hears how many bytes were read, for a progress bar."""
    with path.open("rb") as raw, report.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_COLUMNS)
        counted = io.BufferedReader(_CountingReader(raw, on_bytes))
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
    for batch in _batches(read_rows(lines), batch_size):
        for result in file_batch(factory, batch, settings=settings):
            summary.count(result.outcome)
            if result.outcome is Outcome.REJECTED:
                on_reject(result)
    return summary


def read_rows(lines: Iterable[str]) -> Iterator[Row]:
    """Parse and validate each CSV record; the line number is where the record starts in the file."""
    reader = csv.reader(lines, strict=True)
    header = _read_header(reader)
    start = reader.line_num + 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(start, "", reason=f"malformed CSV: {exc}")
        else:
            if fields:  # a blank line is not a record
                yield parse_row(start, header, fields)
        start = reader.line_num + 1


def _read_header(reader: Any) -> list[str]:
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise HeaderError(
            f"the header must name the columns {', '.join(COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)});"
            f" missing: {', '.join(missing) or '-'}; unknown or repeated: {', '.join(unknown) or '-'}"
        )
    return header


def parse_row(line: int, header: list[str], fields: list[str]) -> Row:
    """One record as the API's request, or a Row carrying the reason it was rejected."""
    if len(fields) != len(header):
        external_id = fields[0].strip() if fields and header[0] == "external_id" else ""
        return Row(line, external_id, reason=f"expected {len(header)} fields, found {len(fields)}")
    cells = {name: value.strip() for name, value in zip(header, fields, strict=True)}
    external_id = cells["external_id"]
    empty = [name for name in REQUIRED if not cells[name]]
    if empty:
        return Row(line, external_id, reason="; ".join(f"{name}: is required" for name in empty))
    problems: list[str] = []
    data = _request_data(cells, problems)
    try:
        request = ApplicationIn.model_validate(data)
    except ValidationError as exc:
        problems.append(_explain(exc))
    else:
        if not problems:
            return Row(line, external_id, request)
    return Row(line, external_id, reason="; ".join(problems))


def _request_data(cells: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The API's JSON shape from CSV strings; a cell that cannot be converted is noted in `problems` and
    replaced by a harmless value, so the other cells are still checked and every problem is reported."""
    applicant = {"name": cells["name"], "phone": cells["phone"], "locale": cells["locale"]}
    if cells.get("timezone"):
        applicant["timezone"] = cells["timezone"]
    data: dict[str, Any] = {
        "external_id": cells["external_id"],
        "applicant": applicant,
        "amount": _decimal(cells["amount"], problems),
        "term_months": _whole(cells["term_months"], problems),
        "purpose": cells["purpose"] or None,
        "submitted_at": cells["submitted_at"] or None,
    }
    if cells.get("currency"):
        data["currency"] = cells["currency"]
    return data


def _decimal(text: str, problems: list[str]) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        problems.append("amount: must be a number such as 50000 or 50000.00")
        return Decimal(1)


def _whole(text: str, problems: list[str]) -> int | None:
    if text and not (text.isascii() and text.isdigit()):
        problems.append("term_months: must be a whole number of months")
        return None
    return int(text) if text else None


def _explain(exc: ValidationError) -> str:
    """Pydantic's errors as `column: message`, in the CSV's column names."""
    parts = []
    for error in exc.errors():
        column = str(error["loc"][-1]) if error["loc"] else "row"
        parts.append(f"{column}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


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
    if filed == row.request.fingerprint:
        return Result(row, Outcome.DUPLICATE)
    return Result(row, Outcome.REJECTED, "conflict: external_id already filed with different content")


def _store(session: Session, requests: list[ApplicationIn], *, settings: Settings) -> None:
    """Store what `filing.new_application` stores for each request, one INSERT round per table instead of
    several per row: the applications first (for their ids), then their notice versions, filing records and
    queued notices as one executemany each. A test holds both paths to identical rows."""
    opted_out = _opted_out(session, [request.applicant.phone for request in requests])
    now = utcnow()
    values = [application_values(r, opted_out=r.applicant.phone in opted_out, now=now) for r in requests]
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


class _CountingReader(io.RawIOBase):
    """A binary file that reports each read's size, so progress follows bytes without counting lines first."""

    def __init__(self, raw: BinaryIO, on_bytes: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        if self._on_bytes is not None and data:
            self._on_bytes(len(data))
        return len(data)
