"""Gauges read from the database at scrape time: applications by state, outbound messages by status.

Each figure is `count(*)` over at most `GAUGE_CAP` entries of an index (`ix_applications_state`, and
`ix_messages_outbox`, whose leading column is the status), all in one statement: a scrape reads at most
`GAUGE_CAP` index entries per state and status, however many rows the tables hold, instead of the full scan
a `GROUP BY` costs. The figures an operator alerts on (a growing outbox, a queue of handoffs) are far below
the cap; at the cap a gauge reads "at least this many", and the totals are the counters
(`smsbot_transitions_total`, `smsbot_send_attempts_total`). A collector, not stored gauges, so that every
gunicorn worker answers the same figures and no process keeps a copy that can go stale."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Mapped, sessionmaker
from sqlmodel import Session, col

from smsbot.events.admin import delivery_counts
from smsbot.models import Application, Message
from smsbot.models.event import DEAD, PENDING
from smsbot.models.message_status import MessageStatus
from states.conversation_states import State

GAUGE_CAP = 10_000
STATES = [state.value for state in State]
# `received` is the one inbound status; every other status is an outbound message's.
OUTBOUND_STATUSES = [status.value for status in MessageStatus if status is not MessageStatus.RECEIVED]


class DatabaseGauges(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state, status = col(Application.state), col(Message.status)
        pairs = [(state, value) for value in STATES] + [(status, value) for value in OUTBOUND_STATUSES]
        with self.sessions() as session:
            counts = session.execute(capped_counts(pairs)).one()
            events = delivery_counts(session)  # pending and dead only: a partial index, never the delivered rows
        by_state, by_status = counts[: len(STATES)], counts[len(STATES) :]
        yield _family("smsbot_outbound_messages", "Outbound SMS by status", "status", OUTBOUND_STATUSES, by_status)
        yield _family("smsbot_applications", "Applications by state", "state", STATES, by_state)
        yield GaugeMetricFamily(
            "smsbot_events_pending", "Events for the lender's system not yet delivered", value=events[PENDING]
        )
        yield GaugeMetricFamily("smsbot_events_dead", "Events given up on after a day of retries", value=events[DEAD])


def capped_counts(pairs: Sequence[tuple[Mapped[str], str]], cap: int = GAUGE_CAP) -> Select[Any]:
    """One SELECT of `count(*)` over at most `cap` rows where column = value, for each pair."""
    counts = []
    for index, (column, value) in enumerate(pairs):
        capped = select(literal(1)).where(column == value).limit(cap).subquery()
        counts.append(select(func.count()).select_from(capped).scalar_subquery().label(f"n{index}"))
    return select(*counts)


def _family(name: str, doc: str, label: str, values: list[str], counts: Sequence[int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, f"{doc} (counted up to {GAUGE_CAP})", labels=[label])
    for value, count in zip(values, counts, strict=True):
        family.add_metric([value], count)
    return family
