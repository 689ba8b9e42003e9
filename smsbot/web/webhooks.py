"""Twilio's webhooks. Verify the signature first, then hand the message to the conversation service; answer
with empty TwiML only after the inbound row is committed."""

from __future__ import annotations

import time

from flask import Blueprint, Response, abort, request
from twilio.request_validator import RequestValidator, compare

from smsbot.conversation.delivery_failures import handle_status_callback
from smsbot.conversation.service import handle_inbound
from smsbot.delivery.providers.twilio import INBOUND_ROUTE, STATUS_ROUTE, WEBHOOKS_PREFIX
from smsbot.dependencies import runtime

bp = Blueprint("webhooks", __name__, url_prefix=WEBHOOKS_PREFIX)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_BODY_CHARS = 1600


def verify_signature() -> None:
    """403 unless X-Twilio-Signature matches the public URL Twilio called (never request.url, which is wrong
    behind a proxy) and the POSTed form."""
    settings = runtime().settings
    signature = request.headers.get("X-Twilio-Signature", "")
    url = settings.public_url + request.full_path.removesuffix("?")
    validator = RequestValidator(settings.twilio_auth_token or settings.secret_key)
    if not signature:
        abort(403)
    # The URL exactly as configured matches almost always: one HMAC. The library's full check (the URL with
    # and without its default port) decides the rest.
    if compare(validator.compute_signature(url, request.form), signature):
        return
    if not validator.validate(url, request.form, signature):
        abort(403)


@bp.post(INBOUND_ROUTE)
def inbound_sms() -> Response:
    started = time.perf_counter()
    verify_signature()
    form = request.form
    sid, phone, body = form.get("MessageSid", ""), form.get("From", ""), form.get("Body", "")
    if not sid or not phone or len(body) > MAX_BODY_CHARS:
        abort(400)
    rt = runtime()
    outcome = handle_inbound(rt.engine, settings=rt.settings, sid=sid, phone=phone, body=body)
    rt.metrics.inbound.labels(result="duplicate" if outcome.duplicate else "stored").inc()
    if outcome.moved and outcome.state:
        rt.metrics.transitions.labels(to_state=outcome.state).inc()
    rt.metrics.webhook_latency.labels(endpoint="sms").observe(time.perf_counter() - started)
    return Response(EMPTY_TWIML, mimetype="text/xml")


@bp.post(STATUS_ROUTE)
def status_callback() -> Response:
    """Store every callback; move the message's status only forward. Unknown sids are stored and ignored."""
    started = time.perf_counter()
    verify_signature()
    if not request.form.get("MessageSid") or not request.form.get("MessageStatus"):
        abort(400)
    rt = runtime()
    handle_status_callback(rt.sessions, request.form.to_dict(), settings=rt.settings)
    rt.metrics.webhook_latency.labels(endpoint="status").observe(time.perf_counter() - started)
    return Response(EMPTY_TWIML, mimetype="text/xml")
