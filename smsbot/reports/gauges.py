"""`/metrics` figures of the funnel, all filing days together, read from the daily aggregates as the last
rollup left them (the worker rolls up every few seconds; a scrape never rolls up itself, so a scrape under
load never waits for a rollup)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import bindparam, text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.reports.outcomes import STAGES

_TOTALS = text("SELECT measure, sum(count) FROM report_daily WHERE measure IN :stages GROUP BY measure").bindparams(
    bindparam("stages", value=list(STAGES), expanding=True)
)


class ReportGauges(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.sessions() as session:
            counts = {measure: int(n) for measure, n in session.execute(_TOTALS)}
        family = GaugeMetricFamily(
            "smsbot_report_funnel", "Applications at each stage of the funnel (as of the last rollup)", labels=["stage"]
        )
        for stage in STAGES:
            family.add_metric([stage], counts.get(stage, 0))
        yield family
