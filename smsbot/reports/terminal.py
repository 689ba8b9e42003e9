"""The funnel as `smsbot report` prints it."""

from __future__ import annotations

from smsbot.reports.figures import Report, share
from smsbot.reports.outcomes import STAGES

BAR = 30


def format_report(report: Report) -> str:
    filed = report.totals["filed"]
    lines = [f"filed {report.since.isoformat()} .. {report.until.isoformat()}", ""]
    for stage in STAGES:
        count = report.totals[stage]
        part = share(count, filed)
        lines.append(f"{stage:<11} {count:>9}  {part:6.1%}  {'#' * round(part * BAR)}")
        if stage == "handed_off":
            for reason, n in sorted(report.handoffs.items(), key=lambda item: -item[1]):
                lines.append(f"  {reason:<18} {n:>9}")
    lines.append("")
    lines.append(
        f"notice to confirmation: median {_duration(report.confirm_median)}, p90 {_duration(report.confirm_p90)}"
    )
    for row in report.variants:
        rate = "-" if row.rate is None else f"{row.rate:.1%}"
        lines.append(f"variant {row.variant}: sent {row.funnel['sent']}, confirmed {row.funnel['confirmed']} ({rate})")
    return "\n".join(lines)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
