"""The staff inbox: the queue, one conversation, and the actions that settle it. This layer parses the form,
calls smsbot.staff.actions and words the outcome; the decisions live there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from smsbot.delivery import consent
from smsbot.delivery.segments import GSM7_BASIC, GSM7_EXTENDED, MAX_BODY_CHARS, measure
from smsbot.dependencies import runtime
from smsbot.models import Application
from smsbot.staff.actions import (
    apply_correction,
    change_phone,
    claim,
    close,
    confirm,
    release,
    reply_prefix,
    resend_notice,
    send_reply,
    take_over,
    unassign,
)
from smsbot.staff.canned import canned_replies
from smsbot.staff.permissions import Refusal, holder_name
from smsbot.staff.queue import (
    ASSIGNMENT_FILTERS,
    load_queue,
    notice_versions,
    pending_corrections,
    staff_names,
    timeline,
)
from smsbot.staff.template_replies import (
    TemplateReply,
    fill_template,
    send_template_reply,
    staff_templates,
    templates_only,
)
from smsbot.staff.values import EDITABLE_FIELDS
from smsbot.web.staff_auth import bp
from smsbot.web.staff_i18n import translate
from states.conversation_states import HandoffReason

POLL_SECONDS = 4  # app.config["STAFF_POLL_SECONDS"] overrides (the browser tests poll faster)
REFUSAL_STATUS = {"not_found": 404, "admin_only": 403, "held_by": 403, "opted_out": 409, "not_allowed": 409}
Outcome = Response | tuple[str, int]


@bp.app_template_filter("duration")
def duration(seconds: int) -> str:
    """Waiting time at a glance: 45s, 12m, 3h 05m, 2d 4h."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


@bp.app_template_filter("changes")
def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, Any, Any]]:
    """The keys an audited action changed, with their old and new values."""
    before, after = before or {}, after or {}
    keys = [*before, *(k for k in after if k not in before)]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _filters() -> tuple[str, str | None]:
    assignment = request.args.get("assigned", "all")
    reason = request.args.get("reason") or None
    if assignment not in ASSIGNMENT_FILTERS:
        assignment = "all"
    if reason not in {r.value for r in HandoffReason}:
        reason = None
    return assignment, reason


@bp.get("/")
def queue() -> str:
    assignment, reason = _filters()
    with runtime().sessions() as session:
        data = load_queue(session, staff_id=g.actor.id, assignment=assignment, reason=reason)
    poll = current_app.config.get("STAFF_POLL_SECONDS", POLL_SECONDS)
    return render_template(
        "staff/queue.html", queue=data, assignment=assignment, reason=reason, reasons=list(HandoffReason), poll=poll
    )


@bp.get("/queue")
def queue_fragment() -> dict[str, Any]:
    """The list body and the counts, for the page's poller; the page keeps its place and filters."""
    assignment, reason = _filters()
    with runtime().sessions() as session:
        data = load_queue(session, staff_id=g.actor.id, assignment=assignment, reason=reason)
    rows = render_template("staff/_queue_rows.html", queue=data, assignment=assignment, reason=reason)
    return {"rows": rows, "counts": data.counts, "ids": [row.id for row in data.rows]}


@bp.get("/c/<row_id:app_id>")
def conversation(app_id: int) -> str:
    return _conversation_page(app_id)


def _conversation_page(
    app_id: int,
    *,
    error: str | None = None,
    draft: str = "",
    chosen: tuple[str, dict[str, str]] | None = None,
    preview: TemplateReply | None = None,
) -> str:
    """The conversation page; after a refusal it carries the explanation and keeps the staff member's draft
    (or chosen template and its blanks); a template reply's preview shows the exact text before it is sent."""
    rt = runtime()
    with rt.sessions() as session:
        app = session.get(Application, app_id)
        if app is None:
            abort(404)
        context = {
            "app": app,
            "holder": holder_name(session, app_id),
            "versions": notice_versions(session, app_id),
            "entries": timeline(session, app_id),
            "corrections": pending_corrections(session, app_id),
            "opted_out": consent.is_opted_out(session, app.phone),
            "names": staff_names(session),
        }
    prefix = reply_prefix(app.locale, rt.settings)
    return render_template(
        "staff/conversation.html",
        **context,
        error=error,
        draft=draft,
        prefix=prefix,
        counter=measure(prefix + draft),
        gsm={"basic": GSM7_BASIC, "extended": GSM7_EXTENDED},
        max_chars=MAX_BODY_CHARS - len(prefix),
        canned=canned_replies(app, rt.settings),
        templates_only=templates_only(rt.settings),
        staff_templates=staff_templates(app, rt.settings) if templates_only(rt.settings) else [],
        chosen=chosen or ((preview.key, preview.values) if preview else None),
        preview=preview,
        preview_size=measure(preview.body) if preview else None,
        fields=EDITABLE_FIELDS,
        poll=current_app.config.get("STAFF_POLL_SECONDS", POLL_SECONDS),
    )


@bp.get("/c/<row_id:app_id>/timeline")
def timeline_fragment(app_id: int) -> dict[str, Any]:
    """The timeline alone, for the page's poller: new replies and delivery statuses show up as they happen."""
    with runtime().sessions() as session:
        app = session.get(Application, app_id)
        if app is None:
            abort(404)
        entries = timeline(session, app_id)
    html = "".join(render_template("staff/_entry.html", e=entry) for entry in entries)
    return {"timeline": html, "state": app.state, "count": len(entries)}


@bp.post("/c/<row_id:app_id>/claim")
def claim_conversation(app_id: int) -> Outcome:
    try:
        holder = claim(runtime().sessions, app_id, g.actor)
    except Refusal as refusal:
        return _refused(app_id, refusal)
    won = holder == g.actor.username
    flash(
        translate(g.lang, "claimed") if won else translate(g.lang, "held_by", holder=holder), "ok" if won else "error"
    )
    return redirect(url_for("staff.conversation", app_id=app_id), code=303)


def _run(app_id: int, action: Callable[..., object], *args: Any, **kwargs: Any) -> Outcome:
    """Call one action of smsbot.staff.actions; back to the conversation with "done", or its refusal worded."""
    try:
        action(*args, **kwargs)
    except Refusal as refusal:
        return _refused(app_id, refusal)
    flash(translate(g.lang, "done"), "ok")
    return redirect(url_for("staff.conversation", app_id=app_id), code=303)


@bp.post("/c/<row_id:app_id>/take_over")
def do_take_over(app_id: int) -> Outcome:
    return _run(app_id, take_over, runtime().sessions, app_id, g.actor)


@bp.post("/c/<row_id:app_id>/unassign")
def do_unassign(app_id: int) -> Outcome:
    return _run(app_id, unassign, runtime().sessions, app_id, g.actor)


@bp.post("/c/<row_id:app_id>/reply")
def do_reply(app_id: int) -> Outcome:
    rt = runtime()
    return _run(app_id, send_reply, rt.sessions, app_id, g.actor, request.form.get("body", ""), settings=rt.settings)


@bp.post("/c/<row_id:app_id>/template_reply")
def do_template_reply(app_id: int) -> Outcome:
    """`step=preview` shows the filled template as it will be sent; `step=send` sends it."""
    rt, form = runtime(), request.form
    key = form.get("template", "")
    values = {name.removeprefix("blank_"): value for name, value in form.items() if name.startswith("blank_")}
    try:
        if form.get("step") != "send":
            with rt.sessions() as session:
                app = session.get(Application, app_id)
                if app is None:
                    abort(404)
                reply = fill_template(app, key, values, settings=rt.settings)
            return _conversation_page(app_id, preview=reply), 200
        send_template_reply(rt.sessions, app_id, g.actor, key, values, settings=rt.settings)
    except Refusal as refusal:
        return _refused(app_id, refusal, chosen=(key, values))
    flash(translate(g.lang, "done"), "ok")
    return redirect(url_for("staff.conversation", app_id=app_id), code=303)


@bp.post("/c/<row_id:app_id>/resend_notice")
def do_resend_notice(app_id: int) -> Outcome:
    rt = runtime()
    return _run(app_id, resend_notice, rt.sessions, app_id, g.actor, settings=rt.settings)


@bp.post("/c/<row_id:app_id>/confirm")
def do_confirm(app_id: int) -> Outcome:
    rt = runtime()
    return _run(app_id, confirm, rt.sessions, app_id, g.actor, request.form.get("note", ""), settings=rt.settings)


@bp.post("/c/<row_id:app_id>/close")
def do_close(app_id: int) -> Outcome:
    rt = runtime()
    return _run(app_id, close, rt.sessions, app_id, g.actor, request.form.get("reason", ""), settings=rt.settings)


@bp.post("/c/<row_id:app_id>/release")
def do_release(app_id: int) -> Outcome:
    rt = runtime()
    return _run(app_id, release, rt.sessions, app_id, g.actor, settings=rt.settings)


@bp.post("/c/<row_id:app_id>/apply_correction")
def do_apply_correction(app_id: int) -> Outcome:
    rt, form = runtime(), request.form
    correction = form.get("correction_id", "")
    return _run(
        app_id,
        apply_correction,
        rt.sessions,
        app_id,
        g.actor,
        form.get("field", ""),
        form.get("value", ""),
        settings=rt.settings,
        correction_id=int(correction) if correction.isdigit() else None,
    )


@bp.post("/c/<row_id:app_id>/change_phone")
def do_change_phone(app_id: int) -> Outcome:
    rt, form = runtime(), request.form
    try:
        outcome = change_phone(
            rt.sessions, app_id, g.actor, form.get("phone", ""), form.get("note", ""), settings=rt.settings
        )
    except Refusal as refusal:
        return _refused(app_id, refusal)
    if outcome.suppressed:  # done, but the applicant will not get the notice: staff must know why
        flash(translate(g.lang, "phone_changed_opted_out"), "error")
    else:
        flash(translate(g.lang, "phone_changed"), "ok")
    return redirect(url_for("staff.conversation", app_id=app_id), code=303)


def _refused(app_id: int, refusal: Refusal, *, chosen: tuple[str, dict[str, str]] | None = None) -> tuple[str, int]:
    params = dict(refusal.params)
    if "field" in params:
        params["field"] = translate(g.lang, params["field"])
    if "blank" in params:
        params["blank"] = translate(g.lang, f"blank_{params['blank']}")
    message = translate(g.lang, refusal.code, **params)
    status = REFUSAL_STATUS.get(refusal.code, 422)
    if refusal.code == "not_found":
        abort(404)
    draft = "".join(ch for ch in request.form.get("body", "") if ch.isprintable() or ch in "\r\n")
    return _conversation_page(app_id, error=message, draft=draft, chosen=chosen), status
