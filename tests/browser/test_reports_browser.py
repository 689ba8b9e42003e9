"""The reports page read in Chromium: the funnel and the daily lines are drawn as SVG, nothing errs, the
Content-Security-Policy is never violated; the screenshot is the README's (docs/reports.png)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlmodel import select

from smsbot.dependencies import Runtime
from smsbot.models import Application, utcnow
from smsbot.reports.outcomes import STAGES
from tests.reports.history import TRUTH, seed_history
from tests.staff_factories import PASSWORD

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "reports.png"


def _spread_over_days(rt: Runtime) -> None:
    """File the seeded applications over five days, so the daily lines have a shape."""
    with rt.sessions() as session, session.begin():
        for app in session.execute(select(Application)).scalars():
            app.created_at -= timedelta(days=(app.id or 0) % 5)


def _sign_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/staff/reports")
    page.fill("#username", "alice")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#funnel-chart")


def test_the_reports_page_says_when_its_figures_are_still_catching_up(
    browser: Any, app: Flask, rt: Runtime, base_url: str
) -> None:
    seed_history(app, rt, app.test_client())
    with rt.engine.begin() as connection:  # a row past a gap in the ids, just written: the rollup waits for it
        connection.execute(
            text(
                "INSERT INTO transitions (id, application_id, event, from_state, to_state, cause, created_at)"
                " SELECT max(id) + 10, min(application_id), 'confirm', 'awaiting_confirmation', 'confirmed',"
                " 'message', :now FROM transitions"
            ),
            {"now": utcnow()},
        )
    page = browser.new_context(locale="en-US").new_page()
    _sign_in(page, base_url)
    assert "Still catching up" in page.locator("#catching-up").inner_text()
    assert page.locator("#funnel-chart g.bar[data-stage=filed]").get_attribute("data-count") == str(TRUTH["filed"])


def test_the_reports_page_draws_its_charts_with_no_error_and_no_csp_violation(
    browser: Any, app: Flask, rt: Runtime, base_url: str
) -> None:
    seed_history(app, rt, app.test_client())  # signed for the configured public URL; same database
    _spread_over_days(rt)
    context = browser.new_context(locale="en-US", viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    _sign_in(page, base_url)
    assert page.locator("#catching-up").count() == 0  # one round read everything
    violations = page.evaluate(
        "() => new Promise(done => { const seen = [];"
        " document.addEventListener('securitypolicyviolation', e => seen.push(e.violatedDirective));"
        " setTimeout(() => done(seen), 300); })"
    )
    bars = page.locator("#funnel-chart g.bar")
    assert bars.count() == len(STAGES)
    counts = {
        bars.nth(i).get_attribute("data-stage"): int(bars.nth(i).get_attribute("data-count") or -1)
        for i in range(bars.count())
    }
    assert counts == TRUTH
    assert page.locator("#funnel-chart rect").first.bounding_box()["width"] > 100  # type: ignore[index]
    lines = page.locator("#daily-chart polyline")
    assert lines.count() == 3
    assert all(len((lines.nth(i).get_attribute("points") or "").split()) == 5 for i in range(3))
    assert violations == [] and problems == []
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    context.close()
