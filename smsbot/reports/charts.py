"""The pictures of a report as SVG geometry: the page's template draws these shapes, so no script runs and the
Content-Security-Policy stays as strict as it is (colours come from classes in the staff stylesheet)."""

from __future__ import annotations

from dataclasses import dataclass

from smsbot.reports.figures import Report, share
from smsbot.reports.outcomes import STAGES

FUNNEL_WIDTH, BAR_HEIGHT, BAR_GAP, LABEL_WIDTH = 640, 22, 6, 150
LINES_WIDTH, LINES_HEIGHT, MARGIN = 640, 220, 36
LINE_STAGES = ("filed", "sent", "confirmed")


@dataclass(frozen=True)
class Bar:
    stage: str
    count: int
    share: float
    y: int
    width: float


@dataclass(frozen=True)
class Series:
    stage: str
    points: str  # the polyline's "x,y x,y ..."
    dots: list[tuple[float, float, int]]  # each day's point and value, for the hover titles


@dataclass(frozen=True)
class Lines:
    series: list[Series]
    days: list[tuple[float, str]]  # x and label of the days named on the axis
    top: int  # the value at the top of the axis


def funnel_bars(report: Report) -> list[Bar]:
    filed = report.totals["filed"]
    scale = FUNNEL_WIDTH - LABEL_WIDTH - 110  # room for "count · share" after the longest bar
    return [
        Bar(
            stage,
            report.totals[stage],
            share(report.totals[stage], filed),
            index * (BAR_HEIGHT + BAR_GAP),
            max(share(report.totals[stage], filed) * scale, 1.0),
        )
        for index, stage in enumerate(STAGES)
    ]


def funnel_height() -> int:
    return len(STAGES) * (BAR_HEIGHT + BAR_GAP)


def daily_lines(report: Report) -> Lines:
    """One line per stage in LINE_STAGES over the filing days of the report that have any filing."""
    days = report.days
    top = max([funnel[stage] for _, funnel in days for stage in LINE_STAGES] + [1])
    plot_w, plot_h = LINES_WIDTH - 2 * MARGIN, LINES_HEIGHT - 2 * MARGIN
    step = plot_w / max(len(days) - 1, 1)

    def point(index: int, value: int) -> tuple[float, float]:
        return round(MARGIN + index * step, 1), round(MARGIN + plot_h * (1 - value / top), 1)

    series = []
    for stage in LINE_STAGES:
        dots = [(*point(i, funnel[stage]), funnel[stage]) for i, (_, funnel) in enumerate(days)]
        series.append(Series(stage, " ".join(f"{x},{y}" for x, y, _ in dots), dots))
    every = max(len(days) // 6, 1)
    labels = [(point(i, 0)[0], day[5:]) for i, (day, _) in enumerate(days) if i % every == 0]
    return Lines(series, labels, top)
