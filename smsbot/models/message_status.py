"""The words a message's `status` column holds, and how they order. Every module that reads or writes a
status uses these, so a status has one spelling and one rank."""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    RECEIVED = "received"  # inbound
    QUEUED = "queued"  # outbound, waiting in the outbox
    SENDING = "sending"  # leased by a worker; the provider may or may not have it
    ACCEPTED = "accepted"  # the provider took it (Twilio's accepted, queued, scheduled, sending)
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    READ = "read"
    CANCELLED = "cancelled"  # an opt-out (or a changed plan) withdrew it before it was sent
    SUPPRESSED = "suppressed"  # refused at queue or send time: the phone opted out or cannot be reached


S = MessageStatus
# Provider statuses that only say "accepted, not yet sent"; they are all stored as `accepted`.
PROVIDER_PENDING = frozenset({S.ACCEPTED, S.QUEUED, S.SENDING, "scheduled"})
# How far a provider's report has come: a status only ever moves to a higher rank.
RANK: dict[str, int] = {status: 1 for status in PROVIDER_PENDING} | {
    S.SENT: 2,
    S.DELIVERED: 3,
    S.UNDELIVERED: 3,
    S.FAILED: 3,
    S.READ: 4,
}
FINAL_FAILURES = frozenset({S.UNDELIVERED, S.FAILED})
# Statuses of outbound messages that reached (or may have reached) the provider.
HANDED_OVER = (S.SENDING, S.ACCEPTED, S.SENT, S.DELIVERED, S.UNDELIVERED, S.FAILED)


def stored_status(provider_status: str | None) -> str:
    """What we store for a status the provider reported: its pending words collapse to `accepted`."""
    status = (provider_status or S.ACCEPTED).lower()
    return S.ACCEPTED.value if status in PROVIDER_PENDING else status
