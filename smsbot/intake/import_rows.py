"""Reading `smsbot import`'s CSV: each record becomes the API's request (`ApplicationIn`), validated exactly
as the API validates it, or a row that carries every reason it was rejected and the line it started on."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from smsbot.intake.filing import ApplicationIn
from smsbot.phones import DEFAULT_REGION

# The columns the API requires, then its optional fields: a file may leave any optional one out.
REQUIRED = ("external_id", "name", "phone", "locale", "amount")
OPTIONAL_COLUMNS = ("term_months", "purpose", "submitted_at", "currency", "timezone")
COLUMNS = (*REQUIRED, "term_months", "purpose", "submitted_at")  # the usual file, in its usual order


class HeaderError(ValueError):
    """The file's header row is not the import format; nothing was imported."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    external_id: str
    request: ApplicationIn | None = None  # None: the line was rejected before filing
    reason: str = ""


def read_rows(lines: Iterable[str], *, region: str = DEFAULT_REGION) -> Iterator[Row]:
    """Parse and validate each CSV record; the line number is where the record starts in the file. National
    phone numbers are read in `region`."""
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
                yield parse_row(start, header, fields, region=region)
        start = reader.line_num + 1


def _read_header(reader: Any) -> list[str]:
    header = [name.strip() for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise HeaderError(
            f"the header must name the columns {', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL_COLUMNS)});"
            f" missing: {', '.join(missing) or '-'}; unknown or repeated: {', '.join(unknown) or '-'}"
        )
    return header


def parse_row(line: int, header: list[str], fields: list[str], *, region: str = DEFAULT_REGION) -> Row:
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
        request = ApplicationIn.model_validate(data, context={"region": region})
    except ValidationError as exc:
        problems.append(_explain(exc))
    else:
        if not problems:
            return Row(line, external_id, request)
    return Row(line, external_id, reason="; ".join(problems))


def _request_data(cells: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The API's JSON shape from CSV strings: empty optional cells are left out, the amount stays text (the
    API reads "50000.00" as it reads 50000.00), and a term that is not a whole number is noted in `problems`
    so the other cells are still checked and every problem is reported."""
    applicant = {name: cells[name] for name in ("name", "phone", "locale")}
    if cells.get("timezone"):
        applicant["timezone"] = cells["timezone"]
    data: dict[str, Any] = {"external_id": cells["external_id"], "applicant": applicant, "amount": cells["amount"]}
    data |= {name: cells[name] for name in ("purpose", "submitted_at", "currency") if cells.get(name)}
    term = cells.get("term_months", "")
    if term and not (term.isascii() and term.isdigit()):
        problems.append("term_months: must be a whole number of months")
    elif term:
        data["term_months"] = int(term)
    return data


def _explain(exc: ValidationError) -> str:
    """Pydantic's errors as `column: message`, in the CSV's column names."""
    parts = []
    for error in exc.errors():
        column = str(error["loc"][-1]) if error["loc"] else "row"
        parts.append(f"{column}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)
