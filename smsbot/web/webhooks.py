"""Twilio's webhooks. Verify the signature first, then hand the message to the conversation service; answer
with empty TwiML only after the inbound row is committed.

After the signature, every field loses its control characters (a NUL cannot be stored and must not hide an
opt-out), the sender becomes its canonical phone (`smsbot.phones`), and only what cannot be stored at all
is refused with a 400: a missing or over-long MessageSid, a missing sender, a body longer than Twilio sends.
A sender that is not a phone number (`whatsapp:...`, an alphanumeric sender) is acknowledged and ignored:
nothing can be sent back to it and no applicant has it."""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, abort, request
from twilio.request_validator import RequestValidator, compare

from smsbot.characters import strip_controls
from smsbot.conversation.delivery_failures import handle_status_callback
from smsbot.conversation.service import handle_inbound
from smsbot.delivery.providers.twilio import INBOUND_ROUTE, STATUS_ROUTE, WEBHOOKS_PREFIX
from smsbot.delivery.segments import MAX_BODY_CHARS
from smsbot.dependencies import runtime
from smsbot.models import Message
from smsbot.phones import PhoneError, canonical_phone

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix=WEBHOOKS_PREFIX)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
MAX_SID_CHARS: int = Message.__table__.c.provider_sid.type.length  # type: ignore[attr-defined]  # what it holds


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
    form = signed_form()
    sid, sender, body = form.get("MessageSid", ""), form.get("From", ""), form.get("Body", "")
    if not sender or len(body) > MAX_BODY_CHARS:
        abort(400)
    rt = runtime()
    try:
        phone = canonical_phone(sender, region=rt.settings.default_region)
    except PhoneError:
        rt.metrics.inbound.labels(result="not_a_phone").inc()
        log.info("inbound %s ignored: the sender is not a phone number", sid)
        return Response(EMPTY_TWIML, mimetype="text/xml")
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
    form = signed_form()
    if not form.get("MessageStatus"):
        abort(400)
    rt = runtime()
    handle_status_callback(rt.sessions, form, settings=rt.settings)
    rt.metrics.webhook_latency.labels(endpoint="status").observe(time.perf_counter() - started)
    return Response(EMPTY_TWIML, mimetype="text/xml")


def signed_form() -> dict[str, str]:
    """The verified form without control characters; 400 unless its MessageSid fits the column."""
    form = {name: strip_controls(value) for name, value in request.form.items()}
    sid = form.get("MessageSid", "")
    if not sid or len(sid) > MAX_SID_CHARS:
        abort(400)
    return form
