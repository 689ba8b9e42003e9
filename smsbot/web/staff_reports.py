"""The reports page and its CSV downloads, for staff and admins. The page parses the period, calls
smsbot.reports.service and renders; the figures come from the daily aggregates (see smsbot/reports/rollup.py)."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, g, render_template, request, stream_with_context

from smsbot.dependencies import runtime
from smsbot.reports import charts
from smsbot.reports.figures import share
from smsbot.reports.outcomes import STAGES
from smsbot.reports.service import DOWNLOADS, MAX_DAYS, current_report, default_period, download
from smsbot.web.staff_auth import bp
from smsbot.web.staff_i18n import translate


def _period() -> tuple[date, date] | None:
    """The period asked for (default: the last 30 filing days), or None when it cannot be read."""
    since, until = default_period(runtime().settings.default_timezone)
    try:
        since = date.fromisoformat(request.args["since"]) if request.args.get("since") else since
        until = date.fromisoformat(request.args["until"]) if request.args.get("until") else until
    except ValueError:
        return None
    return (since, until) if 0 <= (until - since).days <= MAX_DAYS else None


@bp.get("/reports")
def reports() -> str | tuple[str, int]:
    period = _period()
    if period is None:
        return render_template("staff/error.html", message=translate(g.lang, "bad_period")), 422
    settings = runtime().settings
    report = current_report(runtime().sessions, *period, timezone=settings.default_timezone)
    return render_template(
        "staff/reports.html",
        report=report,
        stages=STAGES,
        share=share,
        bars=charts.funnel_bars(report),
        funnel_height=charts.funnel_height(),
        lines=charts.daily_lines(report),
        geometry=charts,
    )


@bp.get("/reports/<kind>.csv")
def report_csv(kind: str) -> Response | tuple[str, int]:
    if kind not in DOWNLOADS:
        abort(404)
    period = _period()
    if period is None:
        return render_template("staff/error.html", message=translate(g.lang, "bad_period")), 422
    lines = download(runtime().sessions, kind, *period, timezone=runtime().settings.default_timezone)
    name = f"smsbot-{kind}-{period[0].isoformat()}-{period[1].isoformat()}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
