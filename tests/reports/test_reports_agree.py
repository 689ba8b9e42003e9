"""The page, both CSVs, `smsbot report` and `/metrics` say the same about a seeded history, and what it is."""

from __future__ import annotations

import csv
import io
import re

from click.testing import CliRunner

from smsbot.cli import main
from smsbot.privacy import mask_phone
from smsbot.reports.outcomes import STAGES
from tests.reports.history import TRUTH, TRUTH_FAILURES, TRUTH_HANDOFFS, seed_history
from tests.staff_factories import StaffClient


def _page_funnel(html: str) -> dict[str, int]:
    found = re.findall(r'<tr data-stage="(\w+)"><td>[^<]*</td><td class="n">(\d+)</td>', html)
    return {stage: int(n) for stage, n in found}


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_page_csvs_command_and_metrics_agree_with_the_seeded_truth(app, rt, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seeded = seed_history(app, rt, client)
    alice = StaffClient(app, "alice")  # an agent, not an admin, may read the reports
    page = alice.get("/staff/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert _page_funnel(html) == TRUTH
    for reason, n in TRUTH_HANDOFFS.items():
        assert f'<tr data-reason="{reason}" class="muted">' in html and f'<td class="n">{n}</td>' in html
    assert 'data-code="21211"' in html
    assert html.count('<g class="bar') == len(STAGES) and html.count("<polyline") == 3

    figures = _csv(alice.get("/staff/reports/figures.csv").get_data(as_text=True))
    assert {stage: sum(int(row[stage]) for row in figures) for stage in STAGES} == TRUTH

    outcomes = _csv(alice.get("/staff/reports/outcomes.csv").get_data(as_text=True))
    assert len(outcomes) == TRUTH["filed"]
    assert sum(row["confirmed_at"] != "" for row in outcomes) == TRUTH["confirmed"]
    assert sorted(c for row in outcomes for c in row["failure_codes"].split(",") if c) == sorted(TRUTH_FAILURES)
    assert all("*" in row["phone"] and not row["phone"].startswith("+") for row in outcomes)
    confirm_ids = {str(i) for i in seeded.ids["confirm"]}
    assert {row["state"] for row in outcomes if row["application_id"] in confirm_ids} == {"confirmed"}

    monkeypatch.setenv("DATABASE_URL", rt.settings.database_url)
    printed = CliRunner().invoke(main, ["report"], catch_exceptions=False).output
    for stage, n in TRUTH.items():
        assert re.search(rf"^{stage}\s+{n}\s", printed, re.MULTILINE), (stage, printed)

    metrics = client.get("/metrics").get_data(as_text=True)
    for stage, n in TRUTH.items():
        assert f'smsbot_report_funnel{{stage="{stage}"}} {float(n)}' in metrics
    assert mask_phone("+8613800138000") == "138****8000"  # the helper the CSV uses


def test_the_page_needs_a_login_and_a_sane_period(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/staff/reports").status_code == 302
    assert client.get("/staff/reports/outcomes.csv").status_code == 302
    from tests.staff_factories import staff_client

    alice = staff_client(app, rt, "alice")
    assert alice.get("/staff/reports?since=2026-13-01").status_code == 422
    assert alice.get("/staff/reports?since=2026-12-02&until=2026-12-01").status_code == 422
    assert alice.get("/staff/reports/secrets.csv").status_code == 404
    assert "转化漏斗" in alice.get("/staff/reports?lang=zh").get_data(as_text=True)


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_inert(app, rt, client) -> None:  # type: ignore[no-untyped-def]
    from smsbot.reports.rollup import catch_up
    from tests.factories import file
    from tests.staff_factories import staff_client

    risky = ["=1+1", "+1+1", "-1+1", "@SUM(1)", '=HYPERLINK("http://x.example/","y")']
    for external_id in risky:
        file(client, external_id=external_id)
    catch_up(rt.sessions, timezone=rt.settings.default_timezone)
    alice = staff_client(app, rt, "alice")
    outcomes = _csv(alice.get("/staff/reports/outcomes.csv").get_data(as_text=True))
    assert sorted(row["external_id"] for row in outcomes) == sorted("'" + external_id for external_id in risky)
