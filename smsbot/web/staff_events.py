"""The admins' page of event deliveries to the lender's system: the dead and the failing, with a retry button.
The page parses and words; smsbot.events.admin reads and changes the rows."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from smsbot.dependencies import runtime
from smsbot.events.admin import problem_deliveries, retry_delivery
from smsbot.web.staff_auth import bp
from smsbot.web.staff_i18n import translate


def _refuse_non_admins() -> tuple[str, int] | None:
    if g.actor.is_admin:
        return None
    return render_template("staff/error.html", message=translate(g.lang, "admin_only")), 403


@bp.get("/events")
def events() -> str | tuple[str, int]:
    refused = _refuse_non_admins()
    if refused:
        return refused
    rt = runtime()
    with rt.sessions() as session:
        rows = problem_deliveries(session)
    return render_template("staff/events.html", rows=rows, enabled=rt.settings.events_enabled)


@bp.post("/events/<int:event_id>/retry")
def retry_event(event_id: int) -> Response | tuple[str, int]:
    refused = _refuse_non_admins()
    if refused:
        return refused
    retried = retry_delivery(runtime().sessions, event_id)
    flash(
        translate(g.lang, "event_retried" if retried else "event_not_waiting", id=event_id),
        "ok" if retried else "error",
    )
    return redirect(url_for("staff.events"), code=303)
