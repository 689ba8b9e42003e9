"""Prometheus metrics, one registry per app so several apps (tests, serve) never collide."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col

from smsbot.events.admin import delivery_counts
from smsbot.models import Application, Message
from smsbot.models.event import DEAD, PENDING


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter("smsbot_inbound_messages", "Inbound SMS stored", ["result"], registry=self.registry)
        self.webhook_latency = Histogram(
            "smsbot_webhook_seconds",
            "Time to answer a Twilio webhook",
            ["endpoint"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.outbound = Gauge("smsbot_outbound_messages", "Outbound SMS by status", ["status"], registry=self.registry)
        self.states = Gauge("smsbot_applications", "Applications by state", ["state"], registry=self.registry)
        self.events_pending = Gauge(
            "smsbot_events_pending", "Events for the lender's system not yet delivered", registry=self.registry
        )
        self.events_dead = Gauge(
            "smsbot_events_dead", "Events given up on after a day of retries", registry=self.registry
        )
        self.transitions = Counter("smsbot_transitions", "Transitions fired", ["to_state"], registry=self.registry)

    def render(self, sessions: sessionmaker[Session]) -> bytes:
        """Refresh the database-derived gauges, then render the Prometheus text format."""
        with sessions() as session:
            outbound = session.execute(
                select(col(Message.status), func.count())
                .where(col(Message.direction) == "out")
                .group_by(col(Message.status))
            ).all()
            states = session.execute(
                select(col(Application.state), func.count()).group_by(col(Application.state))
            ).all()
            events = delivery_counts(session)
        for status, count in outbound:
            self.outbound.labels(status=status).set(count)
        for state, count in states:
            self.states.labels(state=state).set(count)
        self.events_pending.set(events[PENDING])
        self.events_dead.set(events[DEAD])
        return generate_latest(self.registry)
