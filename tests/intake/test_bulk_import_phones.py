"""`smsbot import` follows the API's rules for phones and optional columns."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from smsbot.cli import main
from smsbot.config import Settings
from smsbot.db import transaction
from smsbot.delivery.consent import set_opted_out
from smsbot.dependencies import Runtime
from smsbot.intake.bulk_import import Result, import_lines
from smsbot.models import Application, Message
from tests.intake.test_bulk_import import line, run_import

PHONE = "+8613874013561"


def test_look_alike_spellings_of_an_opted_out_phone_are_stored_opted_out_under_its_one_form(
    rt: Runtime, settings: Settings
) -> None:
    with transaction(rt.sessions) as session:
        set_opted_out(session, phone=PHONE, opted_out=True, message_id=None)
    spellings = ["+86１３８７４０１３５６１", "+86١٣٨٧٤٠١٣٥٦١", "13874013561", PHONE + "\n", "138 7401 3561"]
    summary, rejected = run_import(rt, settings, *(line(f"look-{i}", phone=p) for i, p in enumerate(spellings)))
    assert (summary.filed, rejected) == (5, [])
    with rt.sessions() as session:
        apps = list(session.execute(select(Application)).scalars())
        statuses = set(session.execute(select(Message.status).where(Message.direction == "out")).scalars())
    assert {(a.phone, a.state) for a in apps} == {(PHONE, "opted_out")}
    assert statuses == {"suppressed"}


def test_a_phone_that_is_not_a_valid_number_is_rejected_with_its_reason(rt: Runtime, settings: Settings) -> None:
    _, [result] = run_import(rt, settings, line("bad-phone", phone="+99912345678"))
    assert result.reason.startswith("phone: ")


def test_only_the_apis_required_fields_are_required_columns(rt: Runtime, settings: Settings) -> None:
    rejected: list[Result] = []
    source = io.StringIO("external_id,name,phone,locale,amount\nmin-1,张三,13800138000,zh-CN,50000\n")
    summary = import_lines(rt.sessions, source, settings=settings, on_reject=rejected.append)
    assert (summary.filed, rejected) == (1, [])
    with rt.sessions() as session:
        app = session.execute(select(Application)).scalar_one()
    assert (app.phone, app.term_months, app.purpose) == ("+8613800138000", None, None)
    assert app.submitted_at is not None


def test_the_cli_shows_progress_in_bytes(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "applications.csv"
    source.write_text("external_id,name,phone,locale,amount\np-1,张三,13800138001,zh-CN,50000\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source)], env={"DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    assert "import: 100%" in result.output
    assert "filed 1, duplicates 0, rejected 0" in result.output
