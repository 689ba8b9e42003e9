"""`create_app()` is the one place the app is assembled."""

from __future__ import annotations

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter, Map

from smsbot.config import Settings, load_settings
from smsbot.dependencies import Runtime, build_runtime, init_app
from smsbot.logs import configure_logging
from smsbot.models.base import ROW_ID_MAX

MAX_REQUEST_BYTES = 256 * 1024
csrf = CSRFProtect()


class RowIdConverter(IntegerConverter):
    """`<row_id:...>` in a URL: an id a row can have; anything past it is a plain 404."""

    def __init__(self, url_map: Map, *args: object, **kwargs: object) -> None:
        super().__init__(url_map, min=1, max=ROW_ID_MAX)


def create_app(settings: Settings | None = None, *, rt: Runtime | None = None) -> Flask:
    """Build the Flask app from `settings` (default: the environment)."""
    settings = settings or (rt.settings if rt else load_settings())
    app = Flask(__name__, instance_path=None)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        # The session cookie is written only when the session changes: the inbox's pollers would otherwise
        # send back the cookie they left with, overwriting one set meanwhile (a flash such as "Already
        # claimed by alice" lost between a claim and the page it leads to). The 12 hours count from sign-in.
        SESSION_REFRESH_EACH_REQUEST=False,
        JSON_SORT_KEYS=False,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.url_map.converters["row_id"] = RowIdConverter
    init_app(app, rt or build_runtime(settings))
    csrf.init_app(app)
    _register_blueprints(app, settings)
    app.after_request(_security_headers)
    configure_logging()
    return app


# No inline script anywhere: whatever an applicant writes can never run, even if a template forgot to escape.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _register_blueprints(app: Flask, settings: Settings) -> None:
    from smsbot.web import aliyun_webhooks, api, health, staff, staff_events, staff_reports, webhooks

    del staff_events, staff_reports  # their views are on the staff blueprint, registered with it

    for blueprint in (api.bp, webhooks.bp, aliyun_webhooks.bp):
        csrf.exempt(blueprint)  # authenticated by bearer token, by signature or by the URL's token, not by cookie
        app.register_blueprint(blueprint)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp)
    # Settings copied in code skip validation, so the blueprint checks the environment itself.
    if settings.backend == "simulator" and settings.environment != "production":
        from smsbot.web import dev_phone

        app.register_blueprint(dev_phone.bp)
