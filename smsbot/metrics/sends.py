"""The worker's sends, counted where they happen: around the provider call, so the delivery code stays
unaware of metrics. Every call is one attempt, labelled with its outcome (`sent`; `retry`: surely not
created, sent again later; `unknown`: reconciled before any resend; `permanent` and `unsubscribed`: the
failures; `halted`: the account or template is at fault, held back and counted by code in
`smsbot_send_halts_total`), and its duration goes into the send-latency histogram."""

from __future__ import annotations

import time
from typing import Any

from smsbot.delivery.providers.base import OutboundSms, Outcome, SendResult, SmsProvider
from smsbot.metrics.registry import Metrics


class MeteredProvider:
    """An SmsProvider that counts what the provider it wraps does; everything else passes through."""

    def __init__(self, provider: SmsProvider, metrics: Metrics) -> None:
        self.provider, self.metrics = provider, metrics
        self.name = provider.name

    def warm_up(self) -> None:
        self.provider.warm_up()

    def send(self, sms: OutboundSms) -> SendResult:
        started = time.perf_counter()
        result = self.provider.send(sms)
        self.metrics.send_latency.observe(time.perf_counter() - started)
        self.metrics.send_attempts.labels(outcome=result.outcome.value).inc()
        if result.outcome is Outcome.HALTED:
            self.metrics.send_halts.labels(code=result.error_code or "").inc()
        return result

    def find_sent(self, sms: OutboundSms) -> SendResult | None:
        found = self.provider.find_sent(sms)
        self.metrics.reconciliations.labels(result="not_found" if found is None else "found").inc()
        return found

    def __getattr__(self, name: str) -> Any:  # the sender, a provider's own client, ...
        return getattr(self.provider, name)


def metered(provider: SmsProvider, metrics: Metrics) -> SmsProvider:
    return MeteredProvider(provider, metrics)
