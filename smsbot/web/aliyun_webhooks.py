"""Alibaba Cloud SMS pushes: replies (SmsUp) and delivery reports (SmsReport), each a JSON array.

The gateway signs nothing; the secret is the last segment of the URL registered with it
(`SMSBOT_CALLBACK_TOKEN`), compared in constant time. Without the setting, or with another token, the URL does
not exist (404) and nothing is read. A body that is not a JSON array is refused whole (400) and changes nothing.
Otherwise every element is judged alone (`delivery.gateway_elements`): a malformed one is stored as received,
logged without its contents and counted on /metrics, and the others go on. Each element is committed, and acted
on exactly once, before the answer the gateway waits for; it pushes again until it gets that answer, which is
harmless. Replies go through the very conversation Twilio's replies go through (`handle_inbound`)."""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable

from flask import Blueprint, Response, abort, jsonify, request

from smsbot.conversation.delivery_failures import handle_gateway_report
from smsbot.conversation.service import handle_inbound
from smsbot.db import transaction
from smsbot.delivery.gateway_elements import Malformed, read_reply, read_report
from smsbot.delivery.gateway_pushes import SMS_REPORT, SMS_UP, store_malformed, store_once
from smsbot.dependencies import Runtime, runtime

log = logging.getLogger(__name__)
WEBHOOKS_PREFIX = "/webhooks/aliyun"
SMS_UP_ROUTE, SMS_REPORT_ROUTE = "/sms-up/<token>", "/sms-report/<token>"
bp = Blueprint("aliyun_webhooks", __name__, url_prefix=WEBHOOKS_PREFIX)
RECEIVED = {"code": 0, "msg": "接收成功"}  # the answer the gateway's documentation asks for


@bp.post(SMS_UP_ROUTE)
def sms_up(token: str) -> Response:
    return _receive(token, SMS_UP, _reply)


@bp.post(SMS_REPORT_ROUTE)
def sms_report(token: str) -> Response:
    return _receive(token, SMS_REPORT, _report)


def _receive(token: str, kind: str, act: Callable[[Runtime, object], str]) -> Response:
    started = time.perf_counter()
    rt = runtime()
    _require_token(token, rt.settings.callback_token)
    elements = _elements()
    for index, element in enumerate(elements):
        result = act(rt, element)
        rt.metrics.gateway_elements.labels(kind=kind, result=result).inc()
        if result == "malformed":
            log.warning("aliyun %s push: element %d of %d refused", kind, index + 1, len(elements))
    rt.metrics.webhook_latency.labels(endpoint=f"aliyun_{kind}").observe(time.perf_counter() - started)
    return jsonify(RECEIVED)


def _require_token(given: str, expected: str) -> None:
    """404, not 403: a wrong token must not even tell that the URL exists."""
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        abort(404)


def _elements() -> list[object]:
    """The body as a JSON array, or a 400 that says what was wrong. Control characters inside strings are let
    through here (strict=False), so that one element with a NUL is refused alone, not the whole push."""
    try:
        body = json.loads(request.get_data(cache=False).decode("utf-8"), strict=False)
    except (UnicodeDecodeError, ValueError, RecursionError):
        abort(_bad_request("the body must be a JSON array in UTF-8"))
    if not isinstance(body, list):
        abort(_bad_request("the body must be a JSON array of push elements"))
    return body


def _bad_request(message: str) -> Response:
    response = jsonify({"code": 400, "msg": message})
    response.status_code = 400
    return response


def _reply(rt: Runtime, element: object) -> str:
    reply = read_reply(element)
    if isinstance(reply, Malformed):
        return _malformed(rt, SMS_UP, element, reply)
    with transaction(rt.sessions) as session:
        store_once(session, SMS_UP, reply.push_key, element)
    # Acted on once by its sid, whether or not the element was stored before: a push stored just before a
    # crash is acted on when it comes again.
    outcome = handle_inbound(rt.engine, settings=rt.settings, sid=reply.sid, phone=reply.phone, body=reply.content)
    rt.metrics.inbound.labels(result="duplicate" if outcome.duplicate else "stored").inc()
    if outcome.moved and outcome.state:
        rt.metrics.transitions.labels(to_state=outcome.state).inc()
    return "duplicate" if outcome.duplicate else "stored"


def _report(rt: Runtime, element: object) -> str:
    report = read_report(element)
    if isinstance(report, Malformed):
        return _malformed(rt, SMS_REPORT, element, report)
    return handle_gateway_report(rt.sessions, report, element, settings=rt.settings)


def _malformed(rt: Runtime, kind: str, element: object, malformed: Malformed) -> str:
    with transaction(rt.sessions) as session:
        store_malformed(session, kind, element, malformed.problem)
    rt.metrics.gateway_malformed.labels(kind=kind, problem=malformed.problem).inc()
    return "malformed"
