"""Prometheus metrics: counters and histograms that add up across processes, gauges read from the database.

- `registry`: the metric objects one process updates, and the scrape that renders them with the gauges.
- `multiprocess`: prometheus-client's multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`) and its housekeeping.
- `gauges`: applications by state and outbound messages by status, each a capped index range scan.
- `sends`: the worker's sends, retries, failures and send latency, counted around the provider."""

from smsbot.metrics.registry import Metrics

__all__ = ["Metrics"]
