"""Faults a test can inject: per-recipient errors, the next N creates failing or slow, callback modes."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

from .formats import CALLBACK_ERRORS, SYNC_FAULT_CODES

CALLBACK_MODES = ("normal", "none", "duplicate", "out_of_order", "late")


class FaultError(ValueError):
    """A fault specification the stand-in cannot honour; the control API answers 400."""


@dataclass
class NextRule:
    """Applies to the next `remaining` create requests, whoever they are for."""

    remaining: int
    http_status: int | None = None
    error_code: int | None = None
    delay_ms: int = 0
    # True models "outcome unknown": the message exists although the client saw an error or timeout.
    created: bool = False


@dataclass
class RecipientFault:
    error_code: int | None = None
    callback_error_code: int | None = None
    callback_status: str = "undelivered"


@dataclass
class CallbackSettings:
    mode: str = "normal"
    delay_ms: int = 50
    late_delay_ms: int = 1000


@dataclass
class FaultPlan:
    """Every injected fault, guarded by one lock because handler threads consume them concurrently."""

    recipients: dict[str, RecipientFault] = field(default_factory=dict)
    next_rules: list[NextRule] = field(default_factory=list)
    callbacks: CallbackSettings = field(default_factory=CallbackSettings)
    default_callback_delay_ms: int = 50

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.callbacks.delay_ms = self.default_callback_delay_ms

    def apply(self, spec: dict[str, object]) -> None:
        """Add the faults described by one control-API JSON object (shapes in `TwilioStandIn.add_fault`)."""
        known = {"to", "error_code", "callback_error_code", "callback_status", "next", "http_status"}
        known |= {"delay_ms", "created", "callback_mode", "callback_delay_ms", "late_delay_ms"}
        unknown = set(spec) - known
        if unknown:
            raise FaultError(f"unknown fault keys: {sorted(unknown)}")
        with self._lock:
            if "to" in spec:
                self._apply_recipient(spec)
            elif "next" in spec:
                self.next_rules.append(_next_rule(spec))
            elif "error_code" in spec or "http_status" in spec:
                raise FaultError("error_code needs 'to' or 'next'")
            self._apply_callback_settings(spec)

    def _apply_recipient(self, spec: dict[str, object]) -> None:
        fault = self.recipients.setdefault(str(spec["to"]), RecipientFault())
        if spec.get("error_code") is not None:
            code = _int(spec, "error_code")
            if code not in SYNC_FAULT_CODES:
                raise FaultError(f"unsupported error_code {code}; use one of {sorted(SYNC_FAULT_CODES)}")
            fault.error_code = code
        if spec.get("callback_error_code") is not None:
            code = _int(spec, "callback_error_code")
            if code not in CALLBACK_ERRORS:
                raise FaultError(f"unsupported callback_error_code {code}; use one of {sorted(CALLBACK_ERRORS)}")
            fault.callback_error_code = code
            fault.callback_status = str(spec.get("callback_status", "undelivered"))
            if fault.callback_status not in ("undelivered", "failed"):
                raise FaultError("callback_status must be 'undelivered' or 'failed'")

    def _apply_callback_settings(self, spec: dict[str, object]) -> None:
        if "callback_mode" in spec:
            if spec["callback_mode"] not in CALLBACK_MODES:
                raise FaultError(f"callback_mode must be one of {CALLBACK_MODES}")
            self.callbacks.mode = str(spec["callback_mode"])
        if "callback_delay_ms" in spec:
            self.callbacks.delay_ms = _int(spec, "callback_delay_ms")
        if "late_delay_ms" in spec:
            self.callbacks.late_delay_ms = _int(spec, "late_delay_ms")

    def take_next_rule(self) -> NextRule | None:
        """Consume one use of the oldest pending next-N rule."""
        with self._lock:
            if not self.next_rules:
                return None
            rule = self.next_rules[0]
            rule.remaining -= 1
            if rule.remaining <= 0:
                self.next_rules.pop(0)
            return rule

    def for_recipient(self, to: str) -> RecipientFault | None:
        with self._lock:
            return self.recipients.get(to)

    def callback_settings(self) -> CallbackSettings:
        with self._lock:
            return CallbackSettings(**asdict(self.callbacks))

    def clear(self) -> None:
        with self._lock:
            self.recipients.clear()
            self.next_rules.clear()
            self.callbacks = CallbackSettings(delay_ms=self.default_callback_delay_ms)

    def to_json(self) -> dict[str, object]:
        with self._lock:
            return {
                "recipients": {to: asdict(f) for to, f in self.recipients.items()},
                "next": [asdict(rule) for rule in self.next_rules],
                "callback_mode": self.callbacks.mode,
                "callback_delay_ms": self.callbacks.delay_ms,
                "late_delay_ms": self.callbacks.late_delay_ms,
            }


def _int(spec: dict[str, object], key: str) -> int:
    value = spec[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FaultError(f"{key} must be a non-negative integer")
    return value


def _next_rule(spec: dict[str, object]) -> NextRule:
    rule = NextRule(remaining=_int(spec, "next"), created=bool(spec.get("created", False)))
    if spec.get("http_status") is not None:
        rule.http_status = _int(spec, "http_status")
        if not 400 <= rule.http_status <= 599:
            raise FaultError("http_status must be 4xx or 5xx")
    if spec.get("error_code") is not None:
        rule.error_code = _int(spec, "error_code")
    if "delay_ms" in spec:
        rule.delay_ms = _int(spec, "delay_ms")
    if rule.http_status is None and rule.error_code is None and rule.delay_ms == 0:
        raise FaultError("a 'next' fault needs http_status, error_code or delay_ms")
    return rule
