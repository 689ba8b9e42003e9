"""Staff login, logout, password changes, the login guard and the language of the staff pages.

Sessions are Flask's signed cookies (HttpOnly, SameSite=Lax, Secure when SMSBOT_PUBLIC_URL is https; set in
create_app) holding the account id and its session version; the guard refuses a cookie whose version is not the
account's current one, so logging out or changing the password ends every session of the account (see
staff.accounts). Logging in clears the old session first. A failed login costs FAILED_LOGIN_DELAY seconds on top
of the lock-outs of staff.accounts."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers import Response

from smsbot.dependencies import runtime
from smsbot.staff.accounts import AccountError, authenticate, change_password, end_sessions, get_staff
from smsbot.staff.permissions import Actor
from smsbot.web.staff_i18n import COOKIE, pick_language, term, translate

bp = Blueprint("staff", __name__, url_prefix="/staff")
FAILED_LOGIN_DELAY = 0.5  # seconds; tests lower it with app.config["STAFF_FAILED_LOGIN_DELAY"]
SESSION_LIFETIME = timedelta(hours=12)
OPEN_ENDPOINTS = frozenset({"staff.login"})


@bp.record_once
def _configure(state: Any) -> None:
    state.app.permanent_session_lifetime = SESSION_LIFETIME
    # A conversation page may stay open for a shift; its forms stay valid as long as the login does.
    state.app.config["WTF_CSRF_TIME_LIMIT"] = int(SESSION_LIFETIME.total_seconds())


@bp.before_request
def _load_staff() -> Response | tuple[dict[str, str], int] | None:
    g.lang = pick_language(request)
    with runtime().sessions() as db:
        staff = get_staff(db, session.get("staff_id"))
    if staff is not None and session.get("staff_session") != staff.session_version:
        staff = None  # a session that ended (logout, password change), replayed
        session.clear()
    g.actor = Actor(staff.id or 0, staff.username, staff.is_admin) if staff else None
    if g.actor is None and request.endpoint not in OPEN_ENDPOINTS:
        if request.accept_mimetypes.best == "application/json":
            return {"error": "login required", "login": url_for("staff.login")}, 401
        return redirect(url_for("staff.login", next=request.full_path.removesuffix("?")))
    return None


@bp.after_request
def _remember_language(response: Response) -> Response:
    if request.args.get(COOKIE) in ("zh", "en"):
        response.set_cookie(COOKIE, g.lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
    return response


@bp.app_context_processor
def _words() -> dict[str, Any]:
    lang = getattr(g, "lang", "en")
    return {
        "lang": lang,
        "t": lambda key, **params: translate(lang, key, **params),
        "term": lambda name: term(lang, name),
        "actor": getattr(g, "actor", None),
        "lang_url": _lang_url,
    }


def _lang_url(code: str) -> str:
    """This page in another language, keeping its filters."""
    values: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict(), COOKIE: code}
    return url_for(request.endpoint or "staff.queue", **values)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("staff/login.html", next=_safe_next(request.args.get("next")))
    rt = runtime()
    result = authenticate(
        rt.sessions,
        request.form.get("username", ""),
        request.form.get("password", ""),
        address=request.remote_addr or "unknown",
    )
    next_url = _safe_next(request.form.get("next"))
    if result.staff_id is None:
        time.sleep(current_app.config.get("STAFF_FAILED_LOGIN_DELAY", FAILED_LOGIN_DELAY))
        error = translate(g.lang, "locked", seconds=result.retry_after) if result.retry_after else None
        status = 429 if result.retry_after else 401
        return render_template("staff/login.html", error=error or translate(g.lang, "bad_login"), next=next_url), status
    session.clear()  # no session fixation: a fresh session for the new identity
    session.permanent = True
    session["staff_id"] = result.staff_id
    session["staff_session"] = result.session_version
    return redirect(next_url, code=303)


@bp.post("/logout")
def logout() -> Response:
    """End every session of this account, not only this browser's."""
    end_sessions(runtime().sessions, g.actor.id)
    session.clear()
    return redirect(url_for("staff.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
def password() -> Response | str | tuple[str, int]:
    """Change one's own password; every other session of the account ends, this one carries on."""
    if request.method == "GET":
        return render_template("staff/password.html")
    form = request.form
    if form.get("new", "") != form.get("confirm", ""):
        return render_template("staff/password.html", error=translate(g.lang, "password_mismatch")), 422
    try:
        version = change_password(runtime().sessions, g.actor.id, form.get("current", ""), form.get("new", ""))
    except AccountError as refused:
        if refused.code == "wrong_password":
            time.sleep(current_app.config.get("STAFF_FAILED_LOGIN_DELAY", FAILED_LOGIN_DELAY))
        return render_template("staff/password.html", error=translate(g.lang, refused.code)), 422
    session["staff_session"] = version
    flash(translate(g.lang, "password_changed"), "ok")
    return redirect(url_for("staff.queue"), code=303)


def _safe_next(target: str | None) -> str:
    """Only a page of our own staff inbox, never another site (no open redirect) nor a header of its own."""
    return target if target and _is_staff_path(target) else url_for("staff.queue")


def _is_staff_path(target: str) -> bool:
    """A path under /staff/ in printable ASCII (no CR, LF, NUL or space), without a scheme, a host, a backslash
    or a `..` step."""
    parts = urlsplit(target)
    return (
        all("!" <= ch <= "~" for ch in target)
        and "\\" not in target
        and not (parts.scheme or parts.netloc)
        and parts.path.startswith("/staff/")
        and ".." not in parts.path.split("/")
    )


@bp.app_errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> tuple[str, int]:
    g.lang = getattr(g, "lang", None) or pick_language(request)  # CSRF is checked before our before_request
    return render_template("staff/error.html", message=translate(g.lang, "csrf")), 400
