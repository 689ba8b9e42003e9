"""The `/_control/` JSON API: lets tests in other processes inject faults and inspect what was sent."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from .faults import FaultError

if TYPE_CHECKING:
    from .server import TwilioStandIn

Reply = tuple[int, dict[str, object]]
CALLBACK_PATH = re.compile(r"^/_control/callbacks/(SM[0-9a-fA-F]{32})$")


def handle_control(standin: TwilioStandIn, method: str, path: str, raw: bytes) -> Reply:
    """Route one control request; no authentication, as only local tests can reach it."""
    try:
        payload = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return 400, {"error": "body must be JSON"}
    if not isinstance(payload, dict):
        return 400, {"error": "body must be a JSON object"}
    route = ROUTES.get((method, path))
    if route is not None:
        return route(standin, payload)
    matched = CALLBACK_PATH.match(path)
    if matched and method == "POST":
        return _send_callback(standin, matched.group(1), payload)
    return 404, {"error": f"no control route {method} {path}"}


def _add_fault(standin: TwilioStandIn, payload: dict[str, object]) -> Reply:
    try:
        standin.add_fault(payload)
    except FaultError as exc:
        return 400, {"error": str(exc)}
    return 200, standin.faults_json()


def _send_callback(standin: TwilioStandIn, sid: str, payload: dict[str, object]) -> Reply:
    code = payload.get("error_code")
    url = payload.get("url")
    try:
        entry = standin.send_callback(
            sid,
            str(payload.get("status", "delivered")),
            error_code=int(code) if isinstance(code, int) else None,
            url=str(url) if url else None,
        )
    except LookupError as exc:
        return 404, {"error": str(exc)}
    return 200, entry


def _wait(standin: TwilioStandIn, payload: dict[str, object]) -> Reply:
    timeout = payload.get("timeout", 5)
    idle = standin.wait_for_callbacks(timeout=float(timeout) if isinstance(timeout, int | float) else 5.0)
    return 200, {"idle": idle}


def _reset(standin: TwilioStandIn, _: dict[str, object]) -> Reply:
    standin.reset()
    return 200, {"reset": True}


def _clear_faults(standin: TwilioStandIn, _: dict[str, object]) -> Reply:
    standin.clear_faults()
    return 200, standin.faults_json()


ROUTES = {
    ("GET", "/_control/health"): lambda s, _: (200, {"ok": True, "base_url": s.base_url}),
    ("GET", "/_control/faults"): lambda s, _: (200, s.faults_json()),
    ("POST", "/_control/faults"): _add_fault,
    ("DELETE", "/_control/faults"): _clear_faults,
    ("GET", "/_control/messages"): lambda s, _: (200, {"messages": s.messages()}),
    ("GET", "/_control/requests"): lambda s, _: (200, {"requests": s.requests()}),
    ("GET", "/_control/stats"): lambda s, _: (200, s.stats()),
    ("GET", "/_control/callbacks"): lambda s, _: (200, {"callbacks": s.callbacks()}),
    ("POST", "/_control/callbacks/wait"): _wait,
    ("POST", "/_control/reset"): _reset,
}
