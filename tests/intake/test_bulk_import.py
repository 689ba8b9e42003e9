"""`smsbot import`: bulk filing from CSV, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from smsbot.cli import main
from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.delivery.consent import set_opted_out
from smsbot.dependencies import Runtime
from smsbot.intake.bulk_import import COLUMNS, HeaderError, Result, Summary, import_lines
from smsbot.intake.filing import ApplicationIn, file_application
from smsbot.models import Application, Message, NoticeVersion, Timer, TransitionRecord
from smsbot.models.message import PRIORITY_NOTICE
from tests.factories import new_phone

HEADER = ",".join(COLUMNS)


def line(external_id: str = "", **cells: str) -> str:
    values = {
        "external_id": external_id or f"imp-{new_phone()[3:]}",
        "name": "张三",
        "phone": new_phone(),
        "locale": "zh-CN",
        "amount": "50000",
        "term_months": "12",
        "purpose": "养殖",
        "submitted_at": "2026-08-03T10:15:00+08:00",
    } | cells
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values[name] for name in COLUMNS])
    return out.getvalue().removesuffix("\n")


def run_import(rt: Runtime, settings: Settings, *lines: str, batch_size: int = 500) -> tuple[Summary, list[Result]]:
    rejected: list[Result] = []
    source = io.StringIO("\n".join([HEADER, *lines]) + "\n")
    summary = import_lines(rt.sessions, source, settings=settings, on_reject=rejected.append, batch_size=batch_size)
    return summary, rejected


def count(rt: Runtime, model: type[SQLModel]) -> int:
    with rt.sessions() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def counts(rt: Runtime) -> tuple[int, int, int, int]:
    return (count(rt, Application), count(rt, NoticeVersion), count(rt, TransitionRecord), count(rt, Message))


def stored(rt: Runtime, external_id: str) -> dict[str, Any]:
    """Everything filing stored for one application, without ids and clock times."""
    clock = {"id", "application_id", "created_at", "updated_at", "send_after", "external_id", "due_at"}
    with rt.sessions() as session:
        app = session.execute(select(Application).where(Application.external_id == external_id)).scalar_one()
        related = {
            model.__name__: [
                row.model_dump(exclude=clock)
                for row in session.execute(select(model).where(model.application_id == app.id)).scalars()
            ]
            for model in (NoticeVersion, TransitionRecord, Message, Timer)
        }
        return {"application": app.model_dump(exclude=clock), **related}


def test_good_rows_are_filed_with_notice_version_record_and_a_queued_bulk_notice(
    rt: Runtime, settings: Settings
) -> None:
    summary, rejected = run_import(rt, settings, line("a-1"), line("a-2", locale="en", name="Bob", purpose=""))
    assert (summary.filed, summary.duplicates, summary.rejected, rejected) == (2, 0, 0, [])
    assert counts(rt) == (2, 2, 2, 2)
    english = stored(rt, "a-2")
    assert english["application"]["state"] == "awaiting_confirmation"
    assert english["application"]["purpose"] is None
    [notice] = english["Message"]
    assert (notice["kind"], notice["status"], notice["priority"]) == ("notice", "queued", PRIORITY_NOTICE)
    assert english["TransitionRecord"][0]["event"] == "file"


def test_import_stores_exactly_what_the_api_stores(rt: Runtime, settings: Settings) -> None:
    phone = new_phone()
    request = {
        "applicant": {"name": "张三", "phone": phone, "locale": "zh-CN"},
        "amount": 50000,
        "term_months": 12,
        "purpose": "养殖",
        "submitted_at": "2026-08-03T10:15:00+08:00",
    }
    file_application(rt.sessions, ApplicationIn.model_validate({"external_id": "x", **request}), settings=settings)
    run_import(rt, settings, line("y", phone=phone))
    by_api, by_import = stored(rt, "x"), stored(rt, "y")
    assert by_api["application"].pop("request_fingerprint") != by_import["application"].pop("request_fingerprint")
    assert by_import == by_api
    assert [t["kind"] for t in by_import["Timer"]] == ["reminder", "expire"]


def test_a_phone_that_opted_out_gets_its_application_stored_opted_out_with_the_notice_suppressed(
    rt: Runtime, settings: Settings
) -> None:
    phone = new_phone()
    with transaction(rt.sessions) as session:
        set_opted_out(session, phone=phone, opted_out=True, message_id=None)
    run_import(rt, settings, line("o-1", phone=phone))
    record = stored(rt, "o-1")
    assert record["application"]["state"] == "opted_out"
    assert record["Message"][0]["status"] == "suppressed"


def test_rows_already_in_the_database_with_the_same_content_are_skipped_as_duplicates(
    rt: Runtime, settings: Settings
) -> None:
    first = line("d-1")
    run_import(rt, settings, first)
    summary, rejected = run_import(rt, settings, first, line("d-2"))
    assert (summary.filed, summary.duplicates, rejected) == (1, 1, [])
    assert counts(rt) == (2, 2, 2, 2)


@pytest.mark.parametrize("batch_size", [1, 500])
def test_repeated_rows_within_the_file_are_filed_once(rt: Runtime, settings: Settings, batch_size: int) -> None:
    row = line("w-1")
    summary, _ = run_import(rt, settings, row, line("w-2"), row, batch_size=batch_size)
    assert (summary.filed, summary.duplicates, summary.rejected) == (2, 1, 0)
    assert counts(rt) == (2, 2, 2, 2)


@pytest.mark.parametrize("batch_size", [1, 500])
def test_the_same_external_id_with_other_content_is_rejected_as_a_conflict(
    rt: Runtime, settings: Settings, batch_size: int
) -> None:
    run_import(rt, settings, line("c-1", amount="50000"))
    summary, rejected = run_import(
        rt, settings, line("c-1", amount="60000"), line("c-2"), line("c-2", amount="7000"), batch_size=batch_size
    )
    assert (summary.filed, summary.rejected) == (1, 2)
    assert [(r.row.line, r.row.external_id) for r in rejected] == [(2, "c-1"), (4, "c-2")]
    assert all(r.reason.startswith("conflict") for r in rejected)
    assert stored(rt, "c-1")["application"]["amount_minor"] == 5_000_000


BAD_LINES = [
    ("too-few-fields,张三,+8613800138000", "expected 8 fields, found 3"),
    (line("b", name=""), "name: is required"),
    (line("b", amount=""), "amount: is required"),
    (line("b", amount="5万"), "amount: must be a number"),
    (line("b", amount="-5"), "amount: must be more than 0"),
    (line("b", amount="100.123"), "amount: must have at most two decimal places"),
    (line("b", amount="NaN"), "amount: must be a number"),
    (line("b", amount="1000000000000"), "amount: must be more than 0 and at most"),
    (line("b", term_months="twelve"), "term_months: must be a whole number"),
    (line("b", term_months="0"), "term_months: Input should be greater than or equal to 1"),
    (line("b", phone="1380013800"), "phone: is not a valid phone number"),
    (line("b", locale="fr"), "locale: Input should be 'zh-CN' or 'en'"),
    (line("b", submitted_at="2026-08-03T10:15:00"), "submitted_at: must include a UTC offset"),
    (line("b", submitted_at="yesterday"), "submitted_at: must be an ISO 8601 date-time"),
    (line("b", name="x" * 101), "name: String should have at most 100 characters"),
    (line("b c"), "external_id: String should match pattern"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_LINES)
def test_every_bad_line_is_rejected_with_its_line_number_and_reason(
    rt: Runtime, settings: Settings, bad: str, reason: str
) -> None:
    summary, rejected = run_import(rt, settings, line("g-1"), bad, line("g-2"))
    assert (summary.filed, summary.rejected) == (2, 1)
    [result] = rejected
    assert result.row.line == 3
    assert reason in result.reason
    assert counts(rt) == (2, 2, 2, 2)


def test_every_problem_of_a_line_is_reported_at_once(rt: Runtime, settings: Settings) -> None:
    _, [result] = run_import(rt, settings, line("m", amount="abc", phone="123", locale="fr"))
    assert {part.split(":")[0] for part in result.reason.split("; ")} == {"amount", "phone", "locale"}


def test_line_numbers_count_physical_lines_after_a_quoted_multiline_field(rt: Runtime, settings: Settings) -> None:
    _, rejected = run_import(rt, settings, line("q-1", name="two\nlines"), line("q-2", locale="fr"), line("q-3"))
    assert [result.row.line for result in rejected] == [2, 4]


def test_a_header_without_the_import_columns_is_refused_before_anything_is_filed(
    rt: Runtime, settings: Settings
) -> None:
    source = io.StringIO("external_id,name,phone\nx,张三,+8613800138000\n")
    with pytest.raises(HeaderError, match="missing: locale, amount"):
        import_lines(rt.sessions, source, settings=settings, on_reject=lambda _: None)
    assert count(rt, Application) == 0


@pytest.fixture
def refusing_phone(rt: Runtime) -> Iterator[str]:
    """A phone whose outbox row the database refuses, after its application row was already inserted."""
    phone = new_phone()
    sqlite = rt.engine.dialect.name == "sqlite"
    with rt.engine.begin() as connection:
        if sqlite:
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_phone BEFORE INSERT ON messages "
                    f"WHEN NEW.phone = '{phone}' BEGIN SELECT RAISE(ABORT, 'refused phone'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_phone() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.phone = '{phone}' THEN RAISE EXCEPTION 'refused phone' USING ERRCODE = "
                    "'check_violation'; END IF; RETURN NEW; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_phone BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION refuse_phone()"
                )
            )
    yield phone
    with rt.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER refuse_phone" + ("" if sqlite else " ON messages")))
        if not sqlite:
            connection.execute(text("DROP FUNCTION refuse_phone()"))


def test_a_row_the_database_refuses_leaves_nothing_behind_and_its_batch_still_lands(
    rt: Runtime, settings: Settings, refusing_phone: str
) -> None:
    rows = [line(f"r-{i}") for i in range(3)] + [line("r-bad", phone=refusing_phone)] + [line("r-4")]
    summary, [result] = run_import(rt, settings, *rows)
    assert (summary.filed, summary.rejected) == (4, 1)
    assert (result.row.line, result.row.external_id) == (5, "r-bad")
    assert result.reason.startswith("not stored: ") and "refused phone" in result.reason
    assert counts(rt) == (4, 4, 4, 4)


def test_lines_are_read_lazily_one_batch_at_a_time(rt: Runtime, settings: Settings) -> None:
    filed_before_each_row: list[int] = []

    def lines() -> Iterator[str]:
        yield HEADER + "\n"
        for i in range(6):
            filed_before_each_row.append(count(rt, Application))
            yield line(f"l-{i}") + "\n"

    import_lines(rt.sessions, lines(), settings=settings, on_reject=lambda _: None, batch_size=2)
    assert filed_before_each_row == [0, 0, 2, 2, 4, 4]


def test_the_cli_prints_a_summary_and_writes_rejected_lines_to_the_report(
    rt: Runtime, settings: Settings, tmp_path: Path
) -> None:
    run_import(rt, settings, dup := line("cli-1"))
    source = tmp_path / "applications.csv"
    source.write_text("\n".join([HEADER, dup, line("cli-2"), line("cli-3", amount="abc")]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source)], env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    assert "filed 1, duplicates 1, rejected 1 (see" in result.output
    with (tmp_path / "applications.rejected.csv").open(encoding="utf-8") as report:
        assert list(csv.reader(report)) == [
            ["line", "external_id", "reason"],
            ["4", "cli-3", "amount: must be a number such as 50000 or 50000.00"],
        ]
    assert count(rt, Application) == 2


def test_the_cli_refuses_a_file_with_the_wrong_header(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("id,name\n1,x\n", encoding="utf-8")
    report = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main, ["import", str(source), "--report", str(report)], env={"DATABASE_URL": settings.database_url}
    )
    assert result.exit_code == 2
    assert "the header must name the columns" in result.output
