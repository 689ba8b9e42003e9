"""The one interface every SMS provider implements."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    SENT = "sent"  # the provider accepted it
    RETRY = "retry"  # surely not created (connect error, 429): safe to send again later
    UNKNOWN = "unknown"  # may or may not exist (read timeout, 5xx): reconcile before any resend
    PERMANENT = "permanent"  # the number cannot be reached: hand off
    UNSUBSCRIBED = "unsubscribed"  # the provider says the phone opted out
    WITHHELD = "withheld"  # not sent: the phone opted out between the claim and the send
    HALTED = "halted"  # surely not created: the account or the template is at fault; sending waits for a fix


# How long a halted send (and, at the provider, every send it halts) waits before the gateway is tried again.
HALT_SECONDS = 300


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    sid: str | None = None
    status: str | None = None
    error_code: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OutboundSms:
    message_id: int
    phone: str
    body: str
    created_at: datetime
    known_sids: frozenset[str] = frozenset()  # provider ids we already hold for this phone and body
    template: str | None = None  # the template it was rendered from, with its variant (`notice.a`)
    template_params: Mapping[str, str] = field(default_factory=dict)  # the placeholders' values, for a gateway


class SmsProvider(Protocol):
    name: str

    def warm_up(self) -> None:
        """Set up what the first send would otherwise set up (clients, lazy imports), so that it is not late."""
        ...

    def send(self, sms: OutboundSms) -> SendResult:
        """Hand one SMS to the provider; never raises for provider errors, returns the outcome instead."""
        ...

    def find_sent(self, sms: OutboundSms) -> SendResult | None:
        """After an unknown outcome: the provider's record of this SMS if it was created, else None."""
        ...
