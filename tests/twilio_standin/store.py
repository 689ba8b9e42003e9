"""Thread-safe in-memory record of messages and of every create attempt."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from .formats import CALLBACK_ERRORS, STATUS_RANK, Message


@dataclass(frozen=True)
class MessageFilter:
    """The list filters Twilio accepts; dates are inclusive, a bare date matches the whole day."""

    to: str | None = None
    from_: str | None = None
    sent_on: date | datetime | None = None
    sent_before: date | datetime | None = None
    sent_after: date | datetime | None = None

    def matches(self, message: Message) -> bool:
        if self.to is not None and message.to != self.to:
            return False
        if self.from_ is not None and message.from_ != self.from_:
            return False
        if self.sent_on is None and self.sent_before is None and self.sent_after is None:
            return True
        sent = message.date_sent
        if sent is None:
            return False
        return (
            (self.sent_on is None or sent.date() == _day(self.sent_on))
            and (self.sent_before is None or _compare(sent, self.sent_before) <= 0)
            and (self.sent_after is None or _compare(sent, self.sent_after) >= 0)
        )


def _day(bound: date | datetime) -> date:
    return bound.date() if isinstance(bound, datetime) else bound


def _compare(moment: datetime, bound: date | datetime) -> int:
    if isinstance(bound, datetime):
        left, right = moment, bound
        return (left > right) - (left < right)
    day = moment.date()
    return (day > bound) - (day < bound)


def parse_date_filter(value: str) -> date | datetime:
    """Accept `YYYY-MM-DD` (what Twilio documents) and ISO datetimes (what twilio-python sends)."""
    value = value.strip()
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class MessageStore:
    """Messages keyed by sid in creation order, plus the form of every create request."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: dict[str, Message] = {}
        self._attempts: list[dict[str, object]] = []

    def record_attempt(self, form: dict[str, object]) -> int:
        """Remember a create request before anything can fail; returns its index."""
        entry: dict[str, object] = {
            "form": form,
            "received_at": datetime.now(UTC).isoformat(),
            "http_status": None,
            "sid": None,
            "error_code": None,
        }
        with self._lock:
            self._attempts.append(entry)
            return len(self._attempts) - 1

    def finish_attempt(self, index: int, http_status: int, *, sid: str | None, error_code: int | None) -> None:
        with self._lock:
            if index < len(self._attempts):
                self._attempts[index].update(http_status=http_status, sid=sid, error_code=error_code)

    def add(self, message: Message) -> None:
        with self._lock:
            self._messages[message.sid] = message

    def get_json(self, sid: str) -> dict[str, object] | None:
        with self._lock:
            message = self._messages.get(sid)
            return None if message is None else message.to_json()

    def advance(self, sid: str, status: str, error_code: int | None) -> Message | None:
        """Move a message's status forward only, as callbacks may arrive late; returns a snapshot."""
        with self._lock:
            message = self._messages.get(sid)
            if message is None:
                return None
            if STATUS_RANK.get(status, 0) > STATUS_RANK.get(message.status, 0):
                message.status = status
                message.date_updated = datetime.now(UTC)
                if error_code is not None:
                    message.error_code = error_code
                    message.error_message = CALLBACK_ERRORS.get(error_code)
            return Message(**{**message.__dict__})

    def snapshot(self, sid: str) -> Message | None:
        with self._lock:
            message = self._messages.get(sid)
            return None if message is None else Message(**{**message.__dict__})

    def query(self, account_sid: str, wanted: MessageFilter) -> list[dict[str, object]]:
        """Matching messages as JSON, newest first like Twilio's list."""
        with self._lock:
            return [
                m.to_json()
                for m in reversed(self._messages.values())
                if m.account_sid == account_sid and wanted.matches(m)
            ]

    def all_json(self) -> list[dict[str, object]]:
        with self._lock:
            return [m.to_json() for m in self._messages.values()]

    def attempts(self) -> list[dict[str, object]]:
        with self._lock:
            return [dict(a) for a in self._attempts]

    def stats(self) -> dict[str, object]:
        with self._lock:
            requests_by_to = Counter(str(a["form"].get("To")) for a in self._attempts)  # type: ignore[attr-defined]
            created_by_to = Counter(m.to for m in self._messages.values())
            statuses = Counter(m.status for m in self._messages.values())
            return {
                "create_requests": len(self._attempts),
                "created_messages": len(self._messages),
                "rejected_requests": sum(1 for a in self._attempts if a["sid"] is None),
                "requests_by_to": dict(requests_by_to),
                "created_by_to": dict(created_by_to),
                "messages_by_status": dict(statuses),
            }

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._attempts.clear()


def select_page(
    items: list[dict[str, object]], *, page_size: int, token: str | None, page: int
) -> tuple[list[dict[str, object]], bool, bool]:
    """Cut one page out of a newest-first list; returns (page, has_next, has_previous).

    `PA<sid>` continues after that sid and `PB<sid>` goes back before it, so a client walking
    pages does not skip or repeat messages created meanwhile. Without a token `Page` is an offset.
    """
    sids = [str(item["sid"]) for item in items]
    if token and token[2:] in sids:
        anchor = sids.index(token[2:])
        start = anchor + 1 if token.startswith("PA") else max(anchor - page_size, 0)
        end = start + page_size if token.startswith("PA") else anchor
    else:
        start = page * page_size
        end = start + page_size
    return items[start:end], end < len(items), start > 0
