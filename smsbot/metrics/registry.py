"""The metric objects of one app or worker, and the scrape that renders them with the database gauges.

Every Metrics has its own registry, so several apps in one process (tests, `smsbot serve`) never collide. In
multiprocess mode (`smsbot.metrics.multiprocess`) the objects write to the shared directory instead, and a
scrape reads that directory: the sum over every process of the host, whichever gunicorn worker answers."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from smsbot.delivery.providers.base import Outcome
from smsbot.metrics.gauges import DatabaseGauges
from smsbot.metrics.multiprocess import multiprocess_dir
from smsbot.reports.gauges import ReportGauges

WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)  # up to the provider's HTTP timeout


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter("smsbot_inbound_messages", "Inbound SMS stored", ["result"], registry=self.registry)
        self.webhook_latency = Histogram(
            "smsbot_webhook_seconds",
            "Time to answer a Twilio webhook",
            ["endpoint"],
            registry=self.registry,
            buckets=WEBHOOK_BUCKETS,
        )
        self.transitions = Counter("smsbot_transitions", "Transitions fired", ["to_state"], registry=self.registry)
        self._add_send_metrics()
        self._add_gateway_metrics()
        directory = multiprocess_dir()
        self.counted: Collector = MultiProcessCollector(None, path=str(directory)) if directory else self.registry

    def _add_send_metrics(self) -> None:
        self.send_attempts = Counter(
            "smsbot_send_attempts", "Sends handed to the SMS provider, by outcome", ["outcome"], registry=self.registry
        )
        for outcome in Outcome:  # every outcome shows from the start, at zero, so an alert sees its first one
            if outcome is not Outcome.WITHHELD:  # withheld never reaches the provider
                self.send_attempts.labels(outcome=outcome.value)
        self.send_latency = Histogram(
            "smsbot_send_seconds",
            "Time the SMS provider took to answer a send",
            registry=self.registry,
            buckets=SEND_BUCKETS,
        )
        self.send_halts = Counter(
            "smsbot_send_halts",
            "Sends held back because the gateway refused the account, signature or template (alert on any)",
            ["code"],
            registry=self.registry,
        )
        self.reconciliations = Counter(
            "smsbot_send_reconciliations",
            "Lookups at the provider of a send whose outcome was unknown, by result",
            ["result"],
            registry=self.registry,
        )

    def _add_gateway_metrics(self) -> None:
        self.gateway_elements = Counter(
            "smsbot_gateway_push_elements",
            "Elements of the mainland gateway's pushes, by kind and what became of them",
            ["kind", "result"],
            registry=self.registry,
        )
        self.gateway_malformed = Counter(
            "smsbot_gateway_push_malformed",
            "Malformed elements of the mainland gateway's pushes (stored, not acted on), by reason",
            ["kind", "problem"],
            registry=self.registry,
        )

    def serve_counters(self, port: int) -> None:
        """A worker on a host with no gunicorn: serve the counters on their own port, from a thread. (Beside a
        gunicorn that shares the directory, this would serve the same sums twice.)"""
        registry = CollectorRegistry(auto_describe=False)
        registry.register(self.counted)
        start_http_server(port, registry=registry)

    def render(self, sessions: sessionmaker[Session]) -> bytes:
        """The counters and histograms (this process's, or the host's in multiprocess mode) and the database
        gauges, in the Prometheus text format."""
        scrape = CollectorRegistry(auto_describe=False)
        scrape.register(self.counted)
        scrape.register(DatabaseGauges(sessions))
        scrape.register(ReportGauges(sessions))
        return generate_latest(scrape)
