"""The phone simulator: every applicant's thread, and a box to reply as the applicant. Replies take exactly the
inbound path of a Twilio webhook; only the signature check is skipped. Registered only with the simulator."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlmodel import col
from werkzeug.wrappers import Response

from smsbot.characters import strip_controls
from smsbot.conversation.service import handle_inbound
from smsbot.delivery.segments import MAX_BODY_CHARS
from smsbot.dependencies import runtime
from smsbot.models import Message
from smsbot.phones import PhoneError, canonical_phone

bp = Blueprint("dev_phone", __name__, url_prefix="/dev/phone")


@bp.get("/")
def phones() -> str:
    with runtime().sessions() as session:
        rows = session.execute(
            select(col(Message.phone), func.max(col(Message.id)))
            .group_by(col(Message.phone))
            .order_by(func.max(col(Message.id)).desc())
            .limit(200)
        ).all()
    return render_template("dev/phones.html", phones=[phone for phone, _ in rows])


def _canonical(phone: str) -> str:
    try:
        return canonical_phone(phone, region=runtime().settings.default_region)
    except PhoneError:
        abort(404)


@bp.get("/<phone>")
def thread(phone: str) -> str:
    phone = _canonical(phone)
    with runtime().sessions() as session:
        messages = list(
            session.execute(select(Message).where(col(Message.phone) == phone).order_by(col(Message.id))).scalars()
        )
    return render_template("dev/thread.html", phone=phone, messages=messages)


@bp.post("/<phone>")
def reply(phone: str) -> Response:
    phone, body = _canonical(phone), strip_controls(request.form.get("body", ""))
    if len(body) > MAX_BODY_CHARS:
        abort(400)
    rt = runtime()
    handle_inbound(rt.engine, settings=rt.settings, sid="SMdev" + secrets.token_hex(15), phone=phone, body=body)
    return redirect(url_for("dev_phone.thread", phone=phone))
